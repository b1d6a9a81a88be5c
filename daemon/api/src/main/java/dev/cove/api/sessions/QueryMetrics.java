package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.time.Instant;
import java.util.Map;

/**
 * A metric of a session bucketed over time. Every series with this name whose tags include
 * {@code tags} is folded in.
 *
 * <p>Bucket size: {@code intervalMillis} (buckets then align to multiples of it), else
 * {@code buckets} equal slices of the range, else 60 slices. The range defaults to the metric's
 * first and last points. At most 10,000 buckets.
 */
@Method("query:sessions.metrics.query.v1")
public record QueryMetrics(String sessionId, String name, @Nullable Map<String, String> tags, @Nullable Instant from,
                           @Nullable Instant to, @Nullable Long intervalMillis, @Nullable Integer buckets)
        implements Request<MetricSeries> {
    public static final int MAX_BUCKETS = 10_000;

    public QueryMetrics {
        sessionId = Checks.sessionId(sessionId);
        name = Checks.name("metric name", name);
        tags = Checks.tags("tag", tags);
        if (intervalMillis != null && intervalMillis < 1) {
            throw new IllegalArgumentException("intervalMillis must be 1 or more, got " + intervalMillis);
        }
        if (buckets != null && (buckets < 1 || buckets > MAX_BUCKETS)) {
            throw new IllegalArgumentException("buckets must be between 1 and " + MAX_BUCKETS + ", got " + buckets);
        }
        if (from != null && to != null && to.isBefore(from)) {
            throw new IllegalArgumentException("'to' (" + to + ") is before 'from' (" + from + ")");
        }
    }

    public QueryMetrics(String sessionId, String name) {
        this(sessionId, name, null, null, null, null, null);
    }
}
