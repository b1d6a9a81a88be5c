package dev.cove.api.sessions;

import dev.cove.rpc.Nullable;

import java.time.Instant;

/**
 * The points of one time slice, {@code [start, start + interval)}. For counters read {@code sum};
 * {@code p95} is the nearest-rank 95th percentile of the bucket's values.
 */
public record MetricBucket(Instant start, long count, @Nullable Double min, @Nullable Double max,
                           @Nullable Double avg, @Nullable Double p95, @Nullable Double sum) {
}
