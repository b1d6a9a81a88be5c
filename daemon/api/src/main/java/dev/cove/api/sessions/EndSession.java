package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

/**
 * The application says goodbye: the session becomes ENDED and is no longer watched. Ending an
 * ENDED session again answers as the first time did (so a retry after a lost connection is safe).
 *
 * @param exitStatus the application's exit status, if it knows it
 * @param reason     a few words on why, e.g. "user quit"
 */
@Method("action:sessions.end.input.v1")
public record EndSession(String sessionId, @Nullable Integer exitStatus, @Nullable String reason)
        implements Request<SessionEnded> {
    public EndSession {
        sessionId = Checks.sessionId(sessionId);
        if (reason != null && reason.length() > 1000) {
            reason = reason.substring(0, 1000);
        }
    }
}
