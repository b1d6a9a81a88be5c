package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.EventLogged;
import dev.cove.api.sessions.LogEvent;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Stores and publishes an application event. */
@Action("sessions.event.log")
public final class LogEventOp implements Handler<LogEvent, EventLogged> {
    private final SessionService sessions;

    public LogEventOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public EventLogged handle(LogEvent input, CallContext context) {
        return sessions.logEvent(input);
    }
}
