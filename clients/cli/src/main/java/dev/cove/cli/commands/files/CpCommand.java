package dev.cove.cli.commands.files;

import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.files.CopyFiles;
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

@Command(name = "cp", description = {
        "Copy files and folders as a job: each file is written under a temporary name and renamed into place, keeping modified times.",
        "Shows a progress bar until the job ends; Ctrl-C cancels the job (exit status 130), --detach returns at once."})
public final class CpCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Parameters(arity = "2..*", paramLabel = "SRC... DEST", description = "Files or folders, then the destination "
            + "(an existing folder to put them in, or with one source the new name).")
    List<String> paths;

    @Option(names = "--conflict", paramLabel = "POLICY", converter = Args.ConflictConverter.class,
            completionCandidates = Args.ConflictCandidates.class,
            description = "When a target exists: skip, overwrite, keep-both (\"name (2).ext\") or fail (default).")
    ConflictPolicy conflict;

    @Option(names = {"-d", "--detach"}, description = "Start the job and print its id without waiting.")
    boolean detach;

    @Override
    public Integer call() {
        List<String> all = Args.absolute(paths);
        List<String> sources = all.subList(0, all.size() - 1);
        String destination = all.get(all.size() - 1);
        return JobProgress.run(cove, JobKind.COPY, !detach,
                client -> client.call(new CopyFiles(sources, destination, conflict)).id());
    }
}
