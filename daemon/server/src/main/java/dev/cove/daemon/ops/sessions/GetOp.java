package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

/** One session: summary, state, recent events, metric series. */
@Query("sessions.get")
public final class GetOp implements Handler<GetSession, SessionDetail> {
    private final SessionService sessions;

    public GetOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public SessionDetail handle(GetSession input, CallContext context) {
        return sessions.get(input);
    }
}
