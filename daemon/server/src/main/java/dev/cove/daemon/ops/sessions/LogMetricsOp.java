package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.LogMetrics;
import dev.cove.api.sessions.MetricsLogged;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Stores metric points, one or many. */
@Action("sessions.metric.log")
public final class LogMetricsOp implements Handler<LogMetrics, MetricsLogged> {
    private final SessionService sessions;

    public LogMetricsOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public MetricsLogged handle(LogMetrics input, CallContext context) {
        return sessions.logMetrics(input);
    }
}
