package dev.cove.cli.commands.files;

import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.cli.Args;
import dev.cove.cli.CoveCli;
import dev.cove.cli.JobProgress;
import dev.cove.rpc.Request;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code cp} and {@code mv}: sources, then a destination, run as a job with a progress bar. */
abstract class TransferCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Parameters(arity = "2..*", paramLabel = "SRC... DEST", hideParamSyntax = true, description = "Files or folders, then the destination "
            + "(an existing folder to put them in, or with one source the new name).")
    List<String> paths;

    @Option(names = "--conflict", paramLabel = "POLICY", converter = Args.ConflictConverter.class,
            completionCandidates = Args.ConflictCandidates.class,
            description = "When a target exists: skip, overwrite, keep-both (\"name (2).ext\") or fail (default).")
    ConflictPolicy conflict;

    @Option(names = {"-d", "--detach"}, description = "Start the job and print its id without waiting.")
    boolean detach;

    abstract JobKind kind();

    abstract Request<JobInfo> request(List<String> sources, String destination, ConflictPolicy conflict);

    @Override
    public Integer call() {
        List<String> all = cove.absolute(paths);
        List<String> sources = all.subList(0, all.size() - 1);
        String destination = all.get(all.size() - 1);
        return JobProgress.run(cove, kind(), !detach, client -> client.call(request(sources, destination, conflict)).id());
    }
}
