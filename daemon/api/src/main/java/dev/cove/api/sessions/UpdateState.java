package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

import java.util.Map;

/**
 * Deep-merges {@code patch} into the session's state: nested objects merge, arrays and scalars
 * replace, a {@code null} value deletes the key. See {@link StateMerge}.
 */
@Method("action:sessions.state.update.input.v1")
public record UpdateState(String sessionId, Map<String, Object> patch) implements Request<StateUpdated> {
    public UpdateState {
        sessionId = Checks.sessionId(sessionId);
        if (patch == null) {
            throw new IllegalArgumentException("patch is required: an object to merge into the state, e.g. "
                    + "{\"window\":{\"open\":[\"w1\"]}}");
        }
        patch = StateMerge.normalize(patch, "patch");
    }
}
