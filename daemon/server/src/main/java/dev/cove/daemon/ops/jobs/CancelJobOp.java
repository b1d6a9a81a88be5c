package dev.cove.daemon.ops.jobs;

import dev.cove.api.jobs.CancelJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("jobs.cancel")
public final class CancelJobOp implements Handler<CancelJob, JobInfo> {
    private final JobManager jobs;

    public CancelJobOp(JobManager jobs) {
        this.jobs = jobs;
    }

    @Override
    public JobInfo handle(CancelJob input, CallContext context) {
        return jobs.cancel(input.jobId());
    }
}
