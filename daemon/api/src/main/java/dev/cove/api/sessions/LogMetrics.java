package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.util.List;

/**
 * Records metric points, one or many: {@code metrics} as separate points (handy from scripts),
 * {@code batches} in columns (compact; what the Java client sends), or both.
 */
@Method("action:sessions.metric.log.input.v1")
public record LogMetrics(String sessionId, @Nullable List<Metric> metrics, @Nullable List<MetricBatch> batches)
        implements Request<MetricsLogged> {
    public LogMetrics {
        sessionId = Checks.sessionId(sessionId);
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
        batches = batches == null ? List.of() : List.copyOf(batches);
        if (metrics.isEmpty() && batches.isEmpty()) {
            throw new IllegalArgumentException("no metrics given: send at least one in 'metrics' "
                    + "([{\"name\":\"fps\",\"value\":59.8}]) or in 'batches'");
        }
    }

    public LogMetrics(String sessionId, Metric... metrics) {
        this(sessionId, List.of(metrics), null);
    }
}
