package dev.cove.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;

/**
 * What {@code bin/cove} runs: the commands of {@link QuickLane} there, every other command (and every
 * form of those that it does not take) through {@link CoveCli}. A class of its own, so that a quick command
 * never loads CoveCli, which names every picocli command.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] given) {
        String[] args = Args.exact(given);
        // straight to the file descriptor, as CoveCli does, so that a closed pipe shows in checkError()
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                System.out.charset()), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, System.err.charset()), true);
        int exit = QuickLane.run(args, System.getenv(), out, err);
        if (exit == QuickLane.NOT_HANDLED) {
            CoveCli.main(args);
            return;
        }
        out.flush();
        err.flush();
        // Not System.exit: since JDK 21 it logs the exit through System.Logger, whose first use looks for a
        // LoggerFinder with a ServiceLoader over the whole class path and the module image (~10 ms). A success
        // returns (the quick lane leaves no non-daemon thread behind); a failure halts, with the output flushed
        // and no shutdown hooks of the quick lane's own to run.
        if (exit != ExitCodes.OK) {
            Runtime.getRuntime().halt(exit);
        }
    }
}
