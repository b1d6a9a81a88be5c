package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.CancelJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "cancel", description = "Cancel a queued, running or paused job; a copy removes its partial file.")
public final class JobsCancelCommand implements Callable<Integer> {
    @ParentCommand
    JobsCommand parent;

    @Parameters(paramLabel = "ID", description = "The job's id (see `cove jobs list`).")
    long id;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        JobInfo j;
        try (CoreClient client = cove.client()) {
            j = client.call(new CancelJob(id));
        }
        if (cove.json()) {
            cove.printJson(j);
        } else {
            cove.out().printf("Cancelled job %d (%s); it is %s now%n", j.id(), j.description(), JobsCommand.state(j));
        }
        return ExitCodes.OK;
    }
}
