package dev.cove.cli.commands.files;

import dev.cove.api.files.DeleteFiles;
import dev.cove.api.jobs.JobKind;
import dev.cove.cli.Args;
import dev.cove.cli.CoveCli;
import dev.cove.cli.JobProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "rm", description = {
        "Move files and folders to the trash ($XDG_DATA_HOME/Trash, as desktop file managers do), or delete them "
                + "for good with --permanent.",
        "Shows a progress bar until the job ends; Ctrl-C cancels the job (exit status 130), --detach returns at once."})
public final class RmCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders.")
    List<String> paths;

    @Option(names = "--permanent", description = "Delete for good instead of moving to the trash.")
    boolean permanent;

    @Option(names = {"-d", "--detach"}, description = "Start the job and print its id without waiting.")
    boolean detach;

    @Override
    public Integer call() {
        List<String> all = Args.absolute(paths);
        return JobProgress.run(cove, JobKind.DELETE, !detach, client -> client.call(new DeleteFiles(all, permanent)).id());
    }
}
