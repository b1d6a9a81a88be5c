package dev.cove.cli;

import dev.cove.api.events.LogLevel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the daemon's log file from its end. Lines follow the daemon's pattern
 * {@code TIME LEVEL [THREAD] LOGGER - MESSAGE}; lines without that header (stack traces) belong
 * to the entry above them.
 */
public final class LogFile {
    private static final Pattern HEADER =
            Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\S+) +(TRACE|DEBUG|INFO|WARN|ERROR) +\\[(.*?)] (\\S+) - (.*)$");
    /** dev.cove., also as logback abbreviates it in long logger names. */
    private static final Pattern COVE_PREFIX = Pattern.compile("^(dev|d)\\.(cove|c)\\.");
    private static final int BLOCK = 64 * 1024;

    /**
     * One log entry.
     *
     * @param target the logger name without {@code dev.cove.}, as in {@code LogMessage.target}
     * @param lines  the entry's lines as written, header first
     */
    public record Entry(String time, LogLevel level, String thread, String target, String message,
                        List<String> lines) {
        /** True when this entry passes {@code cove logs --level/--target}, as a LogMessage filter would. */
        public boolean matches(LogLevel minLevel, String target) {
            return (minLevel == null || level.compareTo(minLevel) >= 0) && (target == null || targetMatches(target));
        }

        /** {@code rpc} matches {@code rpc.server.RpcServer}; logback may abbreviate leading segments to a letter. */
        private boolean targetMatches(String wanted) {
            String[] have = this.target.split("\\.");
            String[] want = wanted.split("\\.");
            if (want.length > have.length) {
                return false;
            }
            for (int i = 0; i < want.length; i++) {
                boolean abbreviated = have[i].length() == 1 && i < have.length - 1;
                if (!have[i].equals(want[i]) && !(abbreviated && want[i].startsWith(have[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    private LogFile() {
    }

    /** Parses a header line, or returns null for a continuation line. */
    static Entry header(String line) {
        Matcher m = HEADER.matcher(line);
        if (!m.matches()) {
            return null;
        }
        String logger = m.group(4);
        String target = COVE_PREFIX.matcher(logger).replaceFirst("");
        return new Entry(m.group(1), LogLevel.parse(m.group(2)), m.group(3), target, m.group(5), List.of(line));
    }

    /** The last {@code count} entries that pass {@code keep}, oldest first, reading only as much of the file as needed. */
    public static List<Entry> tail(Path file, int count, Predicate<Entry> keep) throws IOException {
        Deque<Entry> found = new ArrayDeque<>();
        Deque<String> continuation = new ArrayDeque<>();
        if (count <= 0) {
            return List.of();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = ch.size();
            byte[] carry = new byte[0];
            while (pos > 0 && found.size() < count) {
                int len = (int) Math.min(BLOCK, pos);
                pos -= len;
                ByteBuffer buf = ByteBuffer.allocate(len + carry.length).limit(len);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + buf.position()) < 0) {
                        break;
                    }
                }
                buf.limit(len + carry.length).put(carry);
                byte[] data = buf.array();
                int end = data.length;
                for (int i = data.length - 1; i >= 0 && found.size() < count; i--) {
                    if (data[i] == '\n') {
                        take(new String(data, i + 1, end - i - 1, StandardCharsets.UTF_8), continuation, found, keep);
                        end = i;
                    }
                }
                carry = Arrays.copyOf(data, end);
            }
            if (pos == 0 && carry.length > 0 && found.size() < count) {
                take(new String(carry, StandardCharsets.UTF_8), continuation, found, keep);
            }
        }
        return new ArrayList<>(found);
    }

    /** Handles one line, read backwards: continuation lines wait for their header. */
    private static void take(String line, Deque<String> continuation, Deque<Entry> found, Predicate<Entry> keep) {
        if (line.isEmpty() && continuation.isEmpty()) {
            return; // the file's final newline
        }
        Entry e = header(line);
        if (e == null) {
            continuation.addFirst(line);
            return;
        }
        if (!continuation.isEmpty()) {
            List<String> lines = new ArrayList<>(continuation.size() + 1);
            lines.add(line);
            lines.addAll(continuation);
            continuation.clear();
            e = new Entry(e.time(), e.level(), e.thread(), e.target(), e.message(), List.copyOf(lines));
        }
        if (keep.test(e)) {
            found.addFirst(e);
        }
    }
}
