package dev.cove.daemon.ops.jobs;

import dev.cove.api.jobs.PauseJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("jobs.pause")
public final class PauseJobOp implements Handler<PauseJob, JobInfo> {
    private final JobManager jobs;

    public PauseJobOp(JobManager jobs) {
        this.jobs = jobs;
    }

    @Override
    public JobInfo handle(PauseJob input, CallContext context) {
        return jobs.pause(input.jobId());
    }
}
