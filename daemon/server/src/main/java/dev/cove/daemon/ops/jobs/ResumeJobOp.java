package dev.cove.daemon.ops.jobs;

import dev.cove.api.jobs.ResumeJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("jobs.resume")
public final class ResumeJobOp implements Handler<ResumeJob, JobInfo> {
    private final JobManager jobs;

    public ResumeJobOp(JobManager jobs) {
        this.jobs = jobs;
    }

    @Override
    public JobInfo handle(ResumeJob input, CallContext context) {
        return jobs.resume(input.jobId());
    }
}
