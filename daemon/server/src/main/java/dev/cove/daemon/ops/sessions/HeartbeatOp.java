package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.Heartbeat;
import dev.cove.api.sessions.HeartbeatResult;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Resets a session's hang clock; ends a hang. */
@Action("sessions.heartbeat")
public final class HeartbeatOp implements Handler<Heartbeat, HeartbeatResult> {
    private final SessionService sessions;

    public HeartbeatOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public HeartbeatResult handle(Heartbeat input, CallContext context) {
        return sessions.heartbeat(input);
    }
}
