package dev.cove.cli.host;

import dev.cove.api.cli.CliInvocation;
import dev.cove.api.cli.HostedCli;
import dev.cove.cli.CliContext;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.RunsLocally;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The CLI as the daemon runs it for the native client: the same {@link CoveCli} a local {@code cove} runs, with
 * the client's arguments, folder, environment, terminal and streams. Found by the daemon with ServiceLoader.
 */
public final class Hosted implements HostedCli {
    @Override
    public boolean runsLocally(List<String> args) {
        Class<?> command = CoveCli.subcommandNamed(args.toArray(String[]::new));
        return command != null && command.isAnnotationPresent(RunsLocally.class);
    }

    @Override
    public int run(CliInvocation invocation) {
        try {
            CliContext context = new CliContext(invocation.cwd(), invocation.env(), invocation.stdin(),
                    invocation.stdout(), invocation.stderr(), invocation.stdinTerminal(), invocation.stdoutTerminal(),
                    invocation.columns(), action -> removable(invocation.onInterrupt(action)));
            // the client's terminal decodes UTF-8 (the native client passes bytes through as they come)
            return CoveCli.execute(context, StandardCharsets.UTF_8, invocation.args().toArray(String[]::new));
        } catch (Throwable t) {
            // a failing command is that command's error, never the daemon's
            report(invocation, t);
            return ExitCodes.ERROR;
        }
    }

    private static CliContext.Registration removable(AutoCloseable registration) {
        return () -> {
            try {
                registration.close();
            } catch (Exception e) {
                // the invocation is ending: an action left registered is dropped with it
            }
        };
    }

    private static void report(CliInvocation invocation, Throwable t) {
        try {
            OutputStream err = invocation.stderr();
            String line = ("cove: unexpected error: " + t).replaceAll("\\R", " ") + System.lineSeparator();
            err.write(line.getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (Throwable ignored) {
            // the client is gone or its stream broke: the exit status still says it failed
        }
    }
}
