package dev.cove.api.sessions;

import dev.cove.rpc.Nullable;

import java.time.Instant;
import java.util.List;

/**
 * A bucketed metric. Buckets cover {@code [from, to)} back to back; empty ones have count 0 and no
 * statistics.
 *
 * @param kind the series' kind (of the first series, if several with different kinds matched)
 */
public record MetricSeries(String sessionId, String name, @Nullable MetricKind kind, @Nullable String unit,
                           Instant from, Instant to, long intervalMillis, long count, List<MetricBucket> buckets) {
}
