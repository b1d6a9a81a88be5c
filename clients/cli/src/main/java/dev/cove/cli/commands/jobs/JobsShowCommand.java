package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "show", description = "Show one job: state, progress, times, result or error.")
public final class JobsShowCommand implements Callable<Integer> {
    @ParentCommand
    JobsCommand parent;

    @Parameters(paramLabel = "ID", description = "The job's id (see `cove jobs list`).")
    long id;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        JobInfo j;
        try (CoreClient client = cove.client()) {
            j = client.call(new GetJob(id));
        }
        if (cove.json()) {
            cove.printJson(j);
        } else {
            JobsCommand.print(cove.out(), j);
        }
        return ExitCodes.OK;
    }
}
