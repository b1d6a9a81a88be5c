package dev.cove.tests.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The safety net: every process the tests start (or find started on their behalf) is registered here
 * and killed when the test JVM exits, whatever happened to the test that started it.
 */
public final class Reaper {
    private static final Set<ProcessHandle> PROCESSES = ConcurrentHashMap.newKeySet();
    private static final Set<Path> TREES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Reaper::reapAll, "cove-test-reaper"));
    }

    private Reaper() {
    }

    public static void register(ProcessHandle p) {
        PROCESSES.add(p);
    }

    public static void unregister(ProcessHandle p) {
        PROCESSES.remove(p);
    }

    /** Kills a process (SIGKILL) if it still runs, waits for it, and forgets it. */
    public static void kill(ProcessHandle p) {
        if (p.isAlive()) {
            p.destroyForcibly();
            try {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by whoever needed it dead
            }
        }
        PROCESSES.remove(p);
    }

    static void deleteOnExit(Path tree) {
        TREES.add(tree);
    }

    private static void reapAll() {
        for (ProcessHandle p : PROCESSES) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Path t : TREES) {
            try (Stream<Path> walk = Files.walk(t)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp files; best effort
            }
        }
    }
}
