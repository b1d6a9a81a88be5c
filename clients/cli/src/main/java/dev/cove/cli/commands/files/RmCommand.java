package dev.cove.cli.commands.files;

import dev.cove.api.files.DeleteFiles;
import dev.cove.api.jobs.JobKind;
import dev.cove.cli.Confirm;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
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
        "Only files inside a location of one of the instance's libraries; others are refused.",
        "--permanent asks for confirmation on a terminal; elsewhere --yes is required.",
        "Shows a progress bar until the job ends; Ctrl-C cancels the job (exit status 130), --detach returns at once."})
public final class RmCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders.")
    List<String> paths;

    @Option(names = "--permanent", description = "Delete for good instead of moving to the trash.")
    boolean permanent;

    @Option(names = {"-y", "--yes"}, description = "With --permanent: do not ask for confirmation.")
    boolean yes;

    @Option(names = {"-d", "--detach"}, description = "Start the job and print its id without waiting.")
    boolean detach;

    @Override
    public Integer call() {
        List<String> all = cove.absolute(paths);
        if (permanent && !yes) {
            String what = all.size() == 1 ? all.get(0) : all.size() + " items (" + all.get(0) + ", ...)";
            if (!Confirm.ask(cove, "deleting " + what + " for good cannot be undone",
                    "Delete %s for good? This cannot be undone. [y/N] ", what)) {
                cove.out().println("Nothing deleted");
                return ExitCodes.ERROR;
            }
        }
        return JobProgress.run(cove, JobKind.DELETE, !detach, client -> client.call(new DeleteFiles(all, permanent)).id());
    }
}
