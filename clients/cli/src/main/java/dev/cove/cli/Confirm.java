package dev.cove.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Asks before a command does what cannot be undone ({@code library delete}, {@code rm --permanent}). On a
 * terminal it asks; anywhere else (a script, a pipe, stdin not a terminal) nobody can answer, so the command is
 * refused unless the user gave {@code --yes}.
 */
public final class Confirm {
    /** An answer is a word; a longer line is no answer a person typed. */
    private static final int MAX_ANSWER = 1024;

    private Confirm() {
    }

    /**
     * True when the user answers yes to {@code question} (printf-style, ending in "[y/N] "), asked on the run's
     * stdout and read from its stdin (the client's, when the CLI runs in the daemon).
     *
     * @param refusal what the command would do, said when there is no terminal to ask on; "add --yes to
     *                confirm" is appended
     */
    public static boolean ask(CoveCli cove, String refusal, String question, Object... args) {
        CliContext context = cove.context();
        if (!context.stdinTerminal() || !context.stdoutTerminal()) {
            throw new CliException(ExitCodes.USAGE, refusal + "; cove asks first only on a terminal, and stdin "
                    + "(or stdout) is not one here: add --yes to confirm");
        }
        cove.out().printf(question, args);
        cove.out().flush();
        String answer = readLine(context.stdin());
        return answer != null && answer.strip().toLowerCase(Locale.ROOT).startsWith("y");
    }

    /** One line, read a byte at a time so that nothing after it is taken from stdin; null at its end. */
    static String readLine(InputStream in) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (line.size() < MAX_ANSWER) {
                    line.write(b);
                }
            }
            if (b == -1 && line.size() == 0) {
                return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the answer from stdin", e);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
