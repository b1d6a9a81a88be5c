package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.ListSessions;
import dev.cove.api.sessions.SessionList;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

/** Lists sessions, newest first, filtered by app, status and time. */
@Query("sessions.list")
public final class ListOp implements Handler<ListSessions, SessionList> {
    private final SessionService sessions;

    public ListOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public SessionList handle(ListSessions input, CallContext context) {
        return sessions.list(input);
    }
}
