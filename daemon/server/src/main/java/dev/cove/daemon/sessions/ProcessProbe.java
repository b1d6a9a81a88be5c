package dev.cove.daemon.sessions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Is an application's process still there? A pid alone can lie twice: a zombie (dead, not yet reaped
 * by its parent) still has one, and after a restart of the daemon the pid may belong to a new process.
 * So this checks the process state on Linux and compares the start time recorded at registration.
 */
public final class ProcessProbe {
    /** Start times read at different moments may differ by the kernel's boot-time rounding. */
    static final long START_TOLERANCE_MILLIS = 2000;
    private static final boolean PROC = Files.isDirectory(Path.of("/proc/self"));

    private ProcessProbe() {
    }

    /** The process's start time in epoch ms if it runs; empty if it does not; -1 inside if unknown. */
    public static Optional<Long> startOf(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive() || isZombie(pid)) {
            return Optional.empty();
        }
        return Optional.of(h.get().info().startInstant().map(Instant::toEpochMilli).orElse(-1L));
    }

    /** True if {@code pid} runs and, when both are known, started when it did at registration. */
    public static boolean alive(long pid, Long expectedStart) {
        Optional<Long> start = startOf(pid);
        if (start.isEmpty()) {
            return false;
        }
        if (expectedStart == null || expectedStart < 0 || start.get() < 0) {
            return true;
        }
        return Math.abs(start.get() - expectedStart) <= START_TOLERANCE_MILLIS;
    }

    /** Linux: state Z (zombie) or X (dead) in /proc/PID/stat. */
    static boolean isZombie(long pid) {
        if (!PROC) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length()) {
                return false;
            }
            char state = stat.charAt(close + 2);
            return state == 'Z' || state == 'X';
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
