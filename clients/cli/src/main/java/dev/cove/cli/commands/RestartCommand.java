package dev.cove.cli.commands;

import dev.cove.api.core.GetStatus;
import dev.cove.api.events.LogLevel;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Lifecycle;
import dev.cove.cli.RunsLocally;
import dev.cove.cli.Supervision;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@RunsLocally
@Command(name = "restart", description = {"Stop the daemon if it runs, then start it again.",
        "The new daemon keeps the settings the running one has (see `cove status`), except those given here."},
        footer = {"%nOther options go to the new daemon as they are (see `cove daemon --help`)."})
public final class RestartCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "File log level for the new daemon.")
    LogLevel logLevel;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for each of stopping and starting (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Unmatched
    List<String> daemonOptions = new ArrayList<>();

    @Override
    public Integer call() {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        // a supervised daemon stays supervised: its supervisor stops with it, so start a new one
        boolean supervised = Supervision.of(cove.paths()).isPresent();
        Map<String, String> running = runningSettings();
        try {
            Lifecycle.stop(cove, "cove restart", timeout);
        } catch (CliException e) {
            if (e.exitCode() != ExitCodes.UNAVAILABLE) {
                throw e;
            }
            if (!cove.json()) {
                cove.out().println("No daemon was running");
            }
        } catch (RpcException e) {
            if (e.code() != ErrorCode.UNAVAILABLE) {
                throw e; // a stale socket is UNAVAILABLE too, and start replaces it
            }
        }
        List<String> args = StartCommand.daemonArgs(logLevel, daemonOptions);
        args.addAll(kept(running, args));
        if (supervised && !args.contains("--supervise")) {
            args.add(0, "--supervise");
        }
        return Lifecycle.start(cove, args, timeout);
    }

    /** The running daemon's settings, or none when no daemon answers (or one too old to say). */
    private Map<String, String> runningSettings() {
        try (CoreClient client = cove.client()) {
            Map<String, String> settings = client.call(new GetStatus()).settings();
            return settings == null ? Map.of() : settings;
        } catch (RpcException e) {
            return Map.of(); // the stop below says what is wrong, if anything is
        }
    }

    /**
     * The options that give the new daemon the running one's {@code settings}, for each setting {@code given} does
     * not set: a restart to update the daemon (the native client's, after a rebuild) must not reset what the user
     * chose at start. A setting with no value (no config file) is left out.
     */
    static List<String> kept(Map<String, String> settings, List<String> given) {
        List<String> out = new ArrayList<>();
        settings.forEach((name, value) -> {
            String option = "--" + name;
            boolean set = given.stream().anyMatch(a -> a.equals(option) || a.startsWith(option + "="));
            if (!set && value != null && !value.isEmpty()) {
                out.add(option);
                out.add(value); // in the syntax the daemon takes: DaemonOptions reads what it reports
            }
        });
        return out;
    }
}
