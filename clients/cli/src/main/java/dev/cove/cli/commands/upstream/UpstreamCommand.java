package dev.cove.cli.commands.upstream;

import dev.cove.cli.CoveCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "upstream", description = {
        "Forwarding of sessions to an OpenTelemetry (OTLP) endpoint: set OTEL_EXPORTER_OTLP_ENDPOINT for the daemon "
                + "(or in its --config file) to turn it on."},
        synopsisSubcommandLabel = "COMMAND", subcommands = {UpstreamStatusCommand.class})
public final class UpstreamCommand implements Runnable {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name an upstream command: status");
    }
}
