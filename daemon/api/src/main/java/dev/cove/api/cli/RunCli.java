package dev.cove.api.cli;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

import java.util.List;
import java.util.Map;

/**
 * Runs one {@code cove} command line in the daemon, for the native client (docs/cli.md, "How the command runs").
 * The command's output comes back as {@link CliPart}s ahead of the {@link CliExit}.
 *
 * @param session        the client's name for this run, random; {@link CliStdin} and {@link CliSignal} name it
 * @param args           the arguments after {@code cove}, as the bytes the client was given (a file name need not be
 *                       UTF-8; the daemon reads them as the CLI in a JVM of its own does, with {@code FileNames})
 * @param cwd            the client's working folder, as bytes: relative paths resolve against it
 * @param env            the client's environment that matters to the CLI ({@code COVE_*}, {@code XDG_*}, {@code HOME},
 *                       {@code TERM}, {@code COLUMNS}, {@code NO_COLOR}, locale)
 * @param stdinTerminal  whether the client's stdin is a terminal (confirmations may be asked)
 * @param stdoutTerminal whether its stdout is a terminal (progress bars redraw in place)
 * @param columns        the terminal's width, or 0 when stdout is no terminal
 */
@Method("action:cli.run.input.v1")
public record RunCli(String session, List<byte[]> args, byte[] cwd, Map<String, String> env, boolean stdinTerminal,
                     boolean stdoutTerminal, boolean stderrTerminal, int columns, int lines) implements Request<CliExit> {
    public RunCli {
        if (session == null || session.isBlank() || session.length() > 128) {
            throw new IllegalArgumentException("a cli.run needs a session: a random name of 1-128 characters");
        }
        if (cwd == null || cwd.length == 0 || cwd[0] != '/') {
            throw new IllegalArgumentException("cwd must be an absolute path");
        }
        if (columns < 0 || columns > 65_535 || lines < 0 || lines > 65_535) {
            // a terminal's size is two 16-bit numbers (TIOCGWINSZ); 0 when there is none
            throw new IllegalArgumentException("columns and lines must be 0-65535, got " + columns + " x " + lines);
        }
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
