package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.Report;
import dev.cove.api.sessions.ReportResult;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Heartbeat, state, events and metrics in one durable transaction: what the client library batches into. */
@Action("sessions.report")
public final class ReportOp implements Handler<Report, ReportResult> {
    private final SessionService sessions;

    public ReportOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public ReportResult handle(Report input, CallContext context) {
        return sessions.report(input);
    }
}
