package dev.cove.cli.commands;

import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Lifecycle;
import dev.cove.cli.RunsLocally;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

@RunsLocally
@Command(name = "shutdown", aliases = "stop", description = {
        "Stop the daemon gracefully and wait until it is gone.",
        "Running calls get the daemon's grace period to finish; subscribers are told the stream ended.",
        "Exits with status 3 when no daemon is running."})
public final class ShutdownCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the daemon to exit (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        long pid = Lifecycle.stop(cove, "cove shutdown", Duration.ofSeconds(timeoutSeconds));
        if (cove.json()) {
            cove.printJson(Map.of("stopped", true, "instance", cove.paths().instance(), "pid", pid));
        }
        return ExitCodes.OK;
    }
}
