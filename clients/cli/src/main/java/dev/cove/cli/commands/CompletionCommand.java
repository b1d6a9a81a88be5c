package dev.cove.cli.commands;

import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "completion", description = {
        "Print a bash (and zsh) completion script for cove.",
        "Load it into this shell:",
        "  source <(cove completion)",
        "Or install it for your user, where bash-completion finds it in every new shell:",
        "  mkdir -p ~/.local/share/bash-completion/completions",
        "  cove completion > ~/.local/share/bash-completion/completions/cove"})
public final class CompletionCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        cove.out().print(AutoComplete.bash("cove", spec.root().commandLine()));
        cove.out().flush();
        return ExitCodes.OK;
    }
}
