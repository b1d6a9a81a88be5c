package dev.cove.api.events;

import dev.cove.api.jobs.FileCounts;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.jobs.JobState;
import dev.cove.rpc.Nullable;

import java.time.Instant;

/**
 * A job's progress, sent on every state change and at most 10 times a second per job in between.
 *
 * @param bytesPerSecond recent throughput
 * @param etaSeconds     estimated seconds left, or -1 when unknown
 * @param counts         copy and move jobs: what happened to each file so far (as {@code JobInfo.counts}); else null
 */
public record JobUpdate(long jobId, JobKind kind, JobState state, long done, long total, long bytes,
                        long bytesTotal, double bytesPerSecond, long etaSeconds, @Nullable String libraryId,
                        @Nullable String message, Instant time, @Nullable FileCounts counts) implements CoveEvent {
}
