package dev.cove.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

/**
 * The training run of the CLI's start-up cache for {@link QuickLane}'s commands (JDK 25+, made by
 * {@code bin/cove}): each of them once, in one JVM, against a running daemon, so that the cache holds what
 * they need and nothing else. A JVM loads every class of its cache as it starts, so a cache that held the
 * full CLI's classes too would slow the quick commands down again.
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
        System.exit(failed == 0 ? 0 : 1);
    }
}
