package dev.cove.api.jobs;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Resumes a paused job. */
@Method("action:jobs.resume.input.v1")
public record ResumeJob(long jobId) implements Request<JobInfo> {
}
