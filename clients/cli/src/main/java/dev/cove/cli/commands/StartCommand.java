package dev.cove.cli.commands;

import dev.cove.api.events.LogLevel;
import dev.cove.cli.CoveCli;
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

@Command(name = "start", description = {
        "Start the daemon in the background and return once it answers.",
        "If one is running already, say so and succeed. If it fails to start, show the end of its output and log."},
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

    @Unmatched
    List<String> daemonOptions = new ArrayList<>();

    @Override
    public Integer call() {
        return Lifecycle.start(cove, daemonArgs(logLevel, daemonOptions), Duration.ofSeconds(timeoutSeconds));
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
