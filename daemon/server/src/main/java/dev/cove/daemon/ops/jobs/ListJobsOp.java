package dev.cove.daemon.ops.jobs;

import dev.cove.api.jobs.JobList;
import dev.cove.api.jobs.ListJobs;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

@Query("jobs.list")
public final class ListJobsOp implements Handler<ListJobs, JobList> {
    private final JobManager jobs;

    public ListJobsOp(JobManager jobs) {
        this.jobs = jobs;
    }

    @Override
    public JobList handle(ListJobs input, CallContext context) {
        return new JobList(jobs.list(input.state(), input.limit() == 0 ? 100 : input.limit()));
    }
}
