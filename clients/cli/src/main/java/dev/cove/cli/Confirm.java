package dev.cove.cli;

import java.io.Console;
import java.util.Locale;

/**
 * Asks before a command does what cannot be undone ({@code library delete}, {@code rm --permanent}). On a
 * terminal it asks; anywhere else (a script, a pipe, stdin not a terminal) nobody can answer, so the command is
 * refused unless the user gave {@code --yes}.
 */
public final class Confirm {
    private Confirm() {
    }

    /**
     * True when the user answers yes to {@code question} (printf-style, ending in "[y/N] ").
     *
     * @param refusal what the command would do, said when there is no terminal to ask on; "add --yes to
     *                confirm" is appended
     */
    public static boolean ask(CoveCli cove, String refusal, String question, Object... args) {
        Console console = System.console();
        if (!cove.terminal() || console == null) {
            // Console.isTerminal (JDK 22+) needs stdin and stdout both on a terminal
            throw new CliException(ExitCodes.USAGE, refusal + "; cove asks first only on a terminal, and stdin "
                    + "(or stdout) is not one here: add --yes to confirm");
        }
        String answer = console.readLine(question, args);
        return answer != null && answer.strip().toLowerCase(Locale.ROOT).startsWith("y");
    }
}
