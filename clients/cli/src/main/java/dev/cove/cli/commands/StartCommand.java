package dev.cove.cli.commands;

import dev.cove.api.Durations;
import dev.cove.api.events.LogLevel;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.RunsLocally;
import dev.cove.cli.Supervision;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.InstanceScanner;
import dev.cove.rpc.instance.InstanceStatus;
import dev.cove.cli.Lifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@RunsLocally
@Command(name = "start", description = {
        "Start the daemon in the background and return once it answers.",
        "If one is running already, say so and succeed; if the options given differ from its settings, say which "
                + "and exit with status 6 (`cove restart` with the options applies them). If it fails to start, "
                + "show the end of its output and log."},
        footer = {"%nOther options go to the daemon as they are, e.g. --shutdown-grace 5 (see `cove daemon --help`)."})
public final class StartCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "File log level: trace, debug, info, warn, error "
            + "(default: info).")
    LogLevel logLevel;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the daemon to answer (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--supervise", description = "Run the daemon under a supervisor that restarts it when it "
            + "crashes (backoff 0.5 s doubling to 30 s; gives up after 5 crashes within 60 s). `cove stop` ends both.")
    boolean supervise;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "Stop the daemon after this long "
            + "without a connected client or a running job: 30s, 10m, 2h (default: $COVE_IDLE_TIMEOUT, else never).")
    String idleTimeout;

    @Unmatched
    List<String> daemonOptions = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> args = daemonArgs(logLevel, daemonOptions);
        if (idleTimeout != null) {
            if (!Durations.valid(idleTimeout)) {
                throw new CliException(ExitCodes.USAGE, "--idle-timeout needs a duration such as 30s, 10m or 2h "
                        + "(0 = never), got '" + idleTimeout + "'");
            }
            args.addAll(List.of("--idle-timeout", idleTimeout.strip()));
        }
        if (!supervise) {
            return Lifecycle.start(cove, args, Duration.ofSeconds(timeoutSeconds));
        }
        // a daemon that runs already cannot be adopted: the supervisor must be its parent to see it die
        InstancePaths paths = cove.paths();
        if (Supervision.of(paths).isEmpty() && InstanceScanner.status(paths).state() == InstanceStatus.State.RUNNING) {
            throw new CliException(ExitCodes.ERROR, "a Cove daemon already runs for instance '" + paths.instance()
                    + "' without a supervisor. Stop it with `" + cove.command("stop") + "`, then run `"
                    + cove.command("start --supervise") + "`");
        }
        args.add(0, "--supervise");
        int status = Lifecycle.start(cove, args, Duration.ofSeconds(timeoutSeconds));
        Supervision.of(paths).ifPresent(s -> {
            if (!cove.json()) {
                cove.out().printf("  supervisor pid %d (restarts the daemon if it crashes; log %s)%n", s.pid(),
                        paths.supervisorLogFile());
            }
        });
        return status;
    }

    static List<String> daemonArgs(LogLevel level, List<String> others) {
        List<String> args = new ArrayList<>();
        if (level != null) {
            args.addAll(List.of("--log-level", level.name().toLowerCase(Locale.ROOT)));
        }
        args.addAll(others);
        return args;
    }
}
