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

    /** The heap ceiling a user's daemon runs with ({@code cove start}, from the launcher's own flag). */
    static final long HEAP_CEILING = parseSize(dev.cove.rpc.client.DaemonLauncher.DEFAULT_HEAP_CEILING.substring(4));

    /**
     * What a daemon needs beyond its heap: metaspace and class space (~60-70 MiB with Jackson, Kryo, SQLite and
     * Logback loaded), the JIT's code cache (tens of MiB), G1's card table and remembered sets (a few percent of
     * the heap), thread stacks (a few hundred threads under abuse), NIO's per-thread temporary direct buffers
     * (each as large as the largest single write, up to a 16 MiB frame) and SQLite's page caches. 256 MiB covers
     * these with room to spare; a daemon past it is growing outside the heap, which no ceiling stops.
     */
    static final long NATIVE_MARGIN = 256L << 20;

    /** The most RSS an abused daemon may reach: its heap ceiling plus {@link #NATIVE_MARGIN}. */
    static final long RSS_BOUND = HEAP_CEILING + NATIVE_MARGIN;

    static long parseSize(String s) {
        char unit = Character.toLowerCase(s.charAt(s.length() - 1));
        long shift = switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        return Long.parseLong(Character.isDigit(unit) ? s : s.substring(0, s.length() - 1)) << shift;
    }

    /** Prints the peak RSS of one abuse case and fails if it passed {@link #RSS_BOUND}. */
    static void checkPeak(String abuse, long base, long peak) {
        System.out.println("[faults] peak RSS, " + abuse + ": " + mib(peak) + " (" + (base > 0 ? "before " + mib(base)
                + "; " : "") + "bound "
                + mib(RSS_BOUND) + " = heap ceiling " + mib(HEAP_CEILING) + " + native margin " + mib(NATIVE_MARGIN)
                + ")");
        if (peak > RSS_BOUND) {
            throw new AssertionError(abuse + ": the daemon's RSS peaked at " + mib(peak) + ", past its heap ceiling "
                    + mib(HEAP_CEILING) + " plus the native margin " + mib(NATIVE_MARGIN));
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
