package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.cli.CoveCli;
import dev.cove.rpc.Request;
import picocli.CommandLine.Command;

@Command(name = "show", description = "Show one job: state, progress, times, result or error.")
public final class JobsShowCommand extends JobIdCommand {
    @Override
    Request<JobInfo> request(long id) {
        return new GetJob(id);
    }

    @Override
    void printHuman(CoveCli cove, JobInfo job) {
        JobsCommand.print(cove.out(), job);
    }
}
