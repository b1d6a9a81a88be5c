package dev.cove.api.jobs;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Cancels a queued, running or paused job; a copy removes its partial file. */
@Method("action:jobs.cancel.input.v1")
public record CancelJob(long jobId) implements Request<JobInfo> {
}
