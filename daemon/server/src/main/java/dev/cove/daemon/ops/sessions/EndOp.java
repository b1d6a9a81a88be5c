package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.EndSession;
import dev.cove.api.sessions.SessionEnded;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Ends a session; it is no longer watched. */
@Action("sessions.end")
public final class EndOp implements Handler<EndSession, SessionEnded> {
    private final SessionService sessions;

    public EndOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public SessionEnded handle(EndSession input, CallContext context) {
        return sessions.end(input);
    }
}
