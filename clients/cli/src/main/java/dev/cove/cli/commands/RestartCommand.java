package dev.cove.cli.commands;

import dev.cove.api.events.LogLevel;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Lifecycle;
import dev.cove.cli.Supervision;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "restart", description = "Stop the daemon if it runs, then start it again.",
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
        if (supervised && !args.contains("--supervise")) {
            args.add(0, "--supervise");
        }
        return Lifecycle.start(cove, args, timeout);
    }
}
