package dev.cove.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Settings shared by the fault suite: short (CI) or long runs, seeds, and process measurements. */
final class Faults {
    /** {@code -Dcove.faults.long=true} runs the long version of every test (more seeds, frames, kills). */
    static final boolean LONG = Boolean.getBoolean("cove.faults.long");

    static {
        System.out.println("[faults] " + (LONG ? "long" : "short") + " run (-Dcove.faults.long=" + LONG + ")");
    }

    private Faults() {
    }

    /** The soft limit on open files of a process ("Max open files" in /proc/PID/limits), or -1. */
    static long maxOpenFiles(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Short run: the short value; long run: the long one. */
    static int scale(int shortValue, int longValue) {
        return LONG ? longValue : shortValue;
    }

    /**
     * The seeds a randomised test runs: a fixed list (so CI is repeatable) plus one fresh seed per run
     * (so every run explores something new). {@code -Dcove.faults.seed=N} runs just that seed.
     */
    static List<Long> seeds() {
        String only = System.getProperty("cove.faults.seed");
        if (only != null && !only.isBlank()) {
            return List.of(Long.parseLong(only.trim()));
        }
        List<Long> seeds = new ArrayList<>(List.of(1L, 2L, 3L, 42L, 20261122L));
        if (LONG) {
            Random r = new Random(7);
            for (int i = 0; i < 15; i++) {
                seeds.add(r.nextLong());
            }
        }
        seeds.add(new Random().nextLong());
        return seeds;
    }

    /** The resident set size of a process in bytes (VmRSS of /proc/PID/status), or -1 if it is gone. */
    static long rssBytes(long pid) {
        return statusKb(pid, "VmRSS:") * 1024;
    }

    /** A /proc/PID/status value in kB (-1 if missing). */
    static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Number of open file descriptors of a process (-1 if unknown). */
    static int openFds(long pid) {
        String[] names = Path.of("/proc", Long.toString(pid), "fd").toFile().list();
        return names == null ? -1 : names.length;
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
