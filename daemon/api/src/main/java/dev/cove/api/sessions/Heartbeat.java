package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** "Still alive": resets the session's hang clock; a session that was HUNG becomes ACTIVE again. */
@Method("action:sessions.heartbeat.input.v1")
public record Heartbeat(String sessionId) implements Request<HeartbeatResult> {
    public Heartbeat {
        sessionId = Checks.sessionId(sessionId);
    }
}
