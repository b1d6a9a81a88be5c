package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.ResumeJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.cli.CoveCli;
import dev.cove.rpc.Request;
import picocli.CommandLine.Command;

@Command(name = "resume", description = "Resume a paused job.")
public final class JobsResumeCommand extends JobIdCommand {
    @Override
    Request<JobInfo> request(long id) {
        return new ResumeJob(id);
    }

    @Override
    void printHuman(CoveCli cove, JobInfo job) {
        printChanged(cove, "Resumed", job);
    }
}
