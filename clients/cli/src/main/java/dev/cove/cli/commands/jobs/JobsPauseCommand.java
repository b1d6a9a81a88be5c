package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.PauseJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.cli.CoveCli;
import dev.cove.rpc.Request;
import picocli.CommandLine.Command;

@Command(name = "pause", description = "Pause a job at its next checkpoint.")
public final class JobsPauseCommand extends JobIdCommand {
    @Override
    Request<JobInfo> request(long id) {
        return new PauseJob(id);
    }

    @Override
    void printHuman(CoveCli cove, JobInfo job) {
        printChanged(cove, "Paused", job);
    }
}
