package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

/**
 * One session in full: summary, current state, its most recent events and its metric series.
 *
 * @param events how many recent events to include (default 50, at most 10,000; 0 for none)
 */
@Method("query:sessions.get.v1")
public record GetSession(String sessionId, @Nullable Integer events) implements Request<SessionDetail> {
    public GetSession {
        sessionId = Checks.sessionId(sessionId);
        if (events != null && (events < 0 || events > 10_000)) {
            throw new IllegalArgumentException("events must be between 0 and 10000, got " + events);
        }
    }

    public GetSession(String sessionId) {
        this(sessionId, null);
    }
}
