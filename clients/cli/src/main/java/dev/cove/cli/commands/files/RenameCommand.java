package dev.cove.cli.commands.files;

import dev.cove.api.files.RenameFile;
import dev.cove.api.jobs.JobKind;
import dev.cove.cli.CoveCli;
import dev.cove.cli.JobProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "rename", description = {
        "Rename a file or folder within its folder, as a job (fails if the new name is taken).",
        "Ctrl-C cancels the job (exit status 130), --detach returns at once."})
public final class RenameCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "The file or folder.")
    String path;

    @Parameters(index = "1", paramLabel = "NEWNAME", description = "The new name: a plain name, not a path.")
    String newName;

    @Option(names = {"-d", "--detach"}, description = "Start the job and print its id without waiting.")
    boolean detach;

    @Override
    public Integer call() {
        if (newName.contains("/") || newName.isBlank() || newName.equals(".") || newName.equals("..")) {
            throw new ParameterException(spec.commandLine(), "NEWNAME \"" + newName + "\" must be a plain file name "
                    + "without '/'; use `cove mv` to move it elsewhere");
        }
        String p = cove.absolute(path);
        return JobProgress.run(cove, JobKind.RENAME, !detach, client -> client.call(new RenameFile(p, newName)).id());
    }
}
