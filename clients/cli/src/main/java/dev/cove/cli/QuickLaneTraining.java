package dev.cove.cli;

import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The training run of the CLI's start-up cache for {@link QuickLane}'s commands (JDK 25+, made by
 * {@code bin/cove}): each of them once, in one JVM, against a running daemon, so that the cache holds what
 * they need and nothing else. A JVM loads every class of its cache as it starts, so a cache that held the
 * full CLI's classes too would slow the quick commands down again.
 *
 * <p>{@code cove start} is trained on an instance of its own ({@code aot-training-start}), stopped again at
 * the end.
 *
 * <p>Arguments: {@code --data-dir DIR} (the training daemon's), a folder inside a location of its default
 * library, and a word to search for. Exits 1 if a command was not handled here or failed.
 */
public final class QuickLaneTraining {
    private QuickLaneTraining() {
    }

    public static void main(String[] args) {
        if (args.length != 4 || !args[0].equals("--data-dir")) {
            System.err.println("usage: QuickLaneTraining --data-dir DIR FOLDER WORD");
            System.exit(2);
        }
        // Main, the class bin/cove runs, in the cache too: otherwise the launcher loads it from cove-cli.jar, which
        // the JVM then opens and indexes in Java (~200 entries) on every command
        Class<?> main = Main.class;
        if (main.getName().isEmpty()) {
            throw new AssertionError();
        }
        String dataDir = args[1];
        List<String[]> commands = List.of(
                new String[]{"--data-dir", dataDir, "status"},
                new String[]{"--data-dir", dataDir, "ping"},
                new String[]{"--data-dir", dataDir, "search", args[3]},
                new String[]{"--data-dir", dataDir, "ls", args[2]},
                new String[]{"--version"});
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        PrintWriter err = new PrintWriter(System.err, true);
        int failed = 0;
        for (String[] c : commands) {
            int exit = QuickLane.run(c, System.getenv(), none, err);
            if (exit != ExitCodes.OK) {
                err.println("training: `cove " + String.join(" ", c) + "` " + (exit == QuickLane.NOT_HANDLED
                        ? "was not handled by the quick lane" : "exited with " + exit));
                failed++;
            }
        }
        // `cove start` both ways: spawning a daemon of an instance of its own, then finding it running
        String[] start = {"--data-dir", dataDir, "--instance", "aot-training-start", "start"};
        for (int i = 0; i < 2; i++) {
            int exit = QuickLane.run(start, System.getenv(), none, err);
            if (exit != ExitCodes.OK) {
                err.println("training: `cove " + String.join(" ", start) + "` " + (exit == QuickLane.NOT_HANDLED
                        ? "was not handled by the quick lane" : "exited with " + exit));
                failed++;
                break;
            }
        }
        InstancePaths started = new InstancePaths(Path.of(dataDir), "aot-training-start");
        InstanceLock.readPid(started.lockFile()).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(p -> {
            p.destroy(); // SIGTERM: a graceful stop
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                p.destroyForcibly();
            }
        }));
        System.exit(failed == 0 ? 0 : 1);
    }
}
