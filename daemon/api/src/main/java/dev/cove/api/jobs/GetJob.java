package dev.cove.api.jobs;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** One job by id. */
@Method("query:jobs.get.v1")
public record GetJob(long jobId) implements Request<JobInfo> {
}
