package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.CancelJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.cli.CoveCli;
import dev.cove.rpc.Request;
import picocli.CommandLine.Command;

@Command(name = "cancel", description = "Cancel a queued, running or paused job; a copy removes its partial file.")
public final class JobsCancelCommand extends JobIdCommand {
    @Override
    Request<JobInfo> request(long id) {
        return new CancelJob(id);
    }

    @Override
    void printHuman(CoveCli cove, JobInfo job) {
        printChanged(cove, "Cancelled", job);
    }
}
