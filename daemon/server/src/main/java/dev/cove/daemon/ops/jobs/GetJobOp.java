package dev.cove.daemon.ops.jobs;

import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.rpc.Query;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Query("jobs.get")
public final class GetJobOp implements Handler<GetJob, JobInfo> {
    private final JobManager jobs;

    public GetJobOp(JobManager jobs) {
        this.jobs = jobs;
    }

    @Override
    public JobInfo handle(GetJob input, CallContext context) {
        return jobs.get(input.jobId());
    }
}
