package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.MetricSeries;
import dev.cove.api.sessions.QueryMetrics;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

/** One metric of a session, bucketed over time. */
@Query("sessions.metrics.query")
public final class QueryMetricsOp implements Handler<QueryMetrics, MetricSeries> {
    private final SessionService sessions;

    public QueryMetricsOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public MetricSeries handle(QueryMetrics input, CallContext context) {
        return sessions.queryMetrics(input);
    }
}
