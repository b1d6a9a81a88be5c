package dev.cove.api.jobs;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

/** Jobs, newest first: all of them or those in one state; limit 0 means 100. */
@Method("query:jobs.list.v1")
public record ListJobs(@Nullable JobState state, int limit) implements Request<JobList> {
    public ListJobs {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be 0 (default) or more, not " + limit);
        }
    }
}
