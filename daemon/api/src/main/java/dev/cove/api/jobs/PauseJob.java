package dev.cove.api.jobs;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Pauses a queued or running job at its next checkpoint. */
@Method("action:jobs.pause.input.v1")
public record PauseJob(long jobId) implements Request<JobInfo> {
}
