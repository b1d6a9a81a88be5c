package dev.cove.cli.commands.sessions;

import dev.cove.cli.CoveCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "sessions", description = {
        "Application sessions: what apps report to Cove (heartbeats, state, events, metrics) and what the daemon "
                + "noticed (hangs, crashes)."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {SessionsListCommand.class, SessionsShowCommand.class, SessionsWatchCommand.class})
public final class SessionsCommand implements Runnable {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a sessions command: list, show or watch");
    }

    CoveCli cove() {
        return cove;
    }
}
