package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.JobInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.Request;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** A jobs subcommand that sends one request about one job and prints the job as it is afterwards. */
abstract class JobIdCommand implements Callable<Integer> {
    @ParentCommand
    JobsCommand parent;

    @Parameters(paramLabel = "ID", description = "The job's id (see `cove jobs list`).")
    long id;

    abstract Request<JobInfo> request(long id);

    abstract void printHuman(CoveCli cove, JobInfo job);

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        JobInfo j;
        try (CoreClient client = cove.client()) {
            j = client.call(request(id));
        }
        if (cove.json()) {
            cove.printJson(j);
        } else {
            printHuman(cove, j);
        }
        return ExitCodes.OK;
    }

    static void printChanged(CoveCli cove, String verb, JobInfo j) {
        cove.out().printf("%s job %d (%s); it is %s now%n", verb, j.id(), j.description(), JobsCommand.state(j));
    }
}
