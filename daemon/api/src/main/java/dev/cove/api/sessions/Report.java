package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.util.List;
import java.util.Map;

/**
 * Everything an application has to say since its last report, applied in one durable transaction:
 * a heartbeat, a state patch, events and metrics (in that order). This is what the client library's
 * batching sends; each part behaves as its own operation would.
 *
 * @param batch a number that grows with every report of this session. The daemon remembers the
 *              last one applied and answers a repeat with {@code duplicate = true} without applying it
 *              again, so a report retried after a lost connection is counted once. Null: no check.
 */
@Method("action:sessions.report.input.v1")
public record Report(String sessionId, @Nullable Long batch, boolean heartbeat, @Nullable Map<String, Object> state,
                     @Nullable List<AppEvent> events, @Nullable List<Metric> metrics,
                     @Nullable List<MetricBatch> batches) implements Request<ReportResult> {
    public Report {
        sessionId = Checks.sessionId(sessionId);
        if (batch != null && batch <= 0) {
            throw new IllegalArgumentException("batch must be a positive number that grows with each report, got " + batch);
        }
        state = state == null || state.isEmpty() ? null : StateMerge.normalize(state, "state");
        events = events == null ? List.of() : List.copyOf(events);
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
        batches = batches == null ? List.of() : List.copyOf(batches);
    }

    /** Metric points in this report. */
    public long points() {
        long n = metrics.size();
        for (MetricBatch b : batches) {
            n += b.size();
        }
        return n;
    }
}
