package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobList;
import dev.cove.api.jobs.JobState;
import dev.cove.api.jobs.ListJobs;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "list", aliases = "ls", description = {
        "List jobs, newest first: by default those not finished and those that finished in the last 24 hours;",
        "--all lists the stored history."})
public final class JobsListCommand implements Callable<Integer> {
    @ParentCommand
    JobsCommand parent;

    @Option(names = {"-a", "--all"}, description = "Every stored job, finished long ago too.")
    boolean all;

    @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: ${COMPLETION-CANDIDATES}.")
    JobState state;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "100", description = "At most N jobs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        JobList list;
        try (CoreClient client = cove.client()) {
            list = client.call(new ListJobs(state, Math.max(1, limit)));
        }
        Instant recent = Instant.now().minus(Duration.ofHours(24));
        List<JobInfo> jobs = all || state != null ? list.jobs() : list.jobs().stream()
                .filter(j -> !j.state().isFinished() || j.finishedAt() == null || j.finishedAt().isAfter(recent)).toList();
        if (cove.json()) {
            cove.printJson(new JobList(jobs));
            return ExitCodes.OK;
        }
        if (jobs.isEmpty()) {
            cove.out().println(all || state != null ? "No jobs" : "No jobs in the last 24 hours; `"
                    + cove.command("jobs list --all") + "` lists older ones");
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"ID", "KIND", "STATE", "PROGRESS", "CREATED", "WHAT"});
        for (JobInfo j : jobs) {
            rows.add(new String[]{Long.toString(j.id()), j.kind().name().toLowerCase(Locale.ROOT), JobsCommand.state(j),
                    JobsCommand.progress(j), Format.time(j.createdAt()),
                    j.description() + (j.error() != null ? " (" + j.error() + ")" : "")});
        }
        Format.table(cove.out(), rows);
        return ExitCodes.OK;
    }
}
