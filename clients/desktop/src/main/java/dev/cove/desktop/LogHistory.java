package dev.cove.desktop;

import dev.cove.api.events.LogLevel;
import dev.cove.api.events.LogMessage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last lines of the daemon's log file as {@link LogMessage}s, so the console opens with what happened before
 * the app subscribed (the stream carries only new lines). The file is the daemon's own, on this machine.
 */
final class LogHistory {
    /** The daemon's pattern: TIME LEVEL [THREAD] LOGGER - MESSAGE; other lines continue the previous entry. */
    private static final Pattern HEADER =
            Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\S+) +(TRACE|DEBUG|INFO|WARN|ERROR) +\\[(.*?)] (\\S+) - (.*)$");
    private static final int TAIL_BYTES = 256 * 1024;

    private LogHistory() {
    }

    static List<LogMessage> tail(Path file, int max) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        String text;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, f.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of(); // history is a courtesy; the live stream is what counts
        }
        List<LogMessage> out = new ArrayList<>();
        String time = null, level = null, thread = null, target = null, message = null;
        StringBuilder error = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            Matcher m = HEADER.matcher(line);
            if (m.matches()) {
                add(out, time, level, thread, target, message, error);
                time = m.group(1);
                level = m.group(2);
                thread = m.group(3);
                target = m.group(4).startsWith("dev.cove.") ? m.group(4).substring("dev.cove.".length()) : m.group(4);
                message = m.group(5);
                error.setLength(0);
            } else if (message != null && !line.isEmpty()) {
                error.append(error.isEmpty() ? "" : "\n").append(line);
            }
        }
        add(out, time, level, thread, target, message, error);
        return out.size() > max ? out.subList(out.size() - max, out.size()) : out;
    }

    private static void add(List<LogMessage> out, String time, String level, String thread, String target, String message,
                            StringBuilder error) {
        if (message == null) {
            return;
        }
        try {
            out.add(new LogMessage(Instant.parse(time), LogLevel.valueOf(level), target, message, thread,
                    error.isEmpty() ? null : error.toString()));
        } catch (DateTimeParseException e) {
            // a partial first line of the tail: skip it
        }
    }
}
