package dev.cove.cli;

import dev.cove.api.events.LogLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogFileTest {
    @TempDir
    Path dir;

    private static String line(int i, String level, String logger) {
        return "2026-01-02T03:04:05.123+01:00 " + String.format("%-5s", level) + " [main] " + logger + " - message " + i;
    }

    @Test
    void tailReturnsTheLastEntriesOldestFirstWithTheirStackTraces() throws IOException {
        Path log = dir.resolve("daemon.log");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5000; i++) { // several read blocks
            lines.add(line(i, "INFO", "dev.cove.daemon.Daemon"));
        }
        lines.add(line(5000, "ERROR", "dev.cove.rpc.server.RpcServer"));
        lines.add("java.lang.IllegalStateException: boom");
        lines.add("\tat dev.cove.X.y(X.java:1)");
        lines.add(line(5001, "DEBUG", "d.c.rpc.server.ServerConnection"));
        Files.write(log, lines);

        List<LogFile.Entry> last = LogFile.tail(log, 3, e -> true);
        assertEquals(List.of("message 4999", "message 5000", "message 5001"), last.stream().map(LogFile.Entry::message).toList());
        assertEquals(3, last.get(1).lines().size(), "the stack trace stays with its entry");
        assertEquals("rpc.server.ServerConnection", last.get(2).target(), "abbreviated dev.cove. prefix removed");

        List<LogFile.Entry> errors = LogFile.tail(log, 10, e -> e.matches(LogLevel.WARN, null));
        assertEquals(1, errors.size());
        assertEquals(LogLevel.ERROR, errors.get(0).level());

        List<LogFile.Entry> rpc = LogFile.tail(log, 10, e -> e.matches(null, "rpc"));
        assertEquals(List.of("message 5000", "message 5001"), rpc.stream().map(LogFile.Entry::message).toList());
        assertTrue(LogFile.tail(log, 10, e -> e.matches(null, "rpc.client")).isEmpty());
        assertEquals(5002, LogFile.tail(log, 100_000, e -> true).size(), "reads to the start of the file");
    }

    @Test
    void formatsSizesAndDurationsForPeople() {
        assertEquals("45s", Format.duration(45_900));
        assertEquals("3m 12s", Format.duration(192_000));
        assertEquals("2h 5m", Format.duration((2 * 3600 + 5 * 60) * 1000L));
        assertEquals("3d 4h", Format.duration((3 * 86_400 + 4 * 3600) * 1000L));
        assertEquals("512 B", Format.bytes(512));
        assertEquals("85.0 MiB", Format.bytes(85L * 1024 * 1024));
        assertEquals("unknown", Format.bytes(-1));
    }
}
