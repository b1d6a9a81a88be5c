package dev.cove.api.sessions;

import dev.cove.api.events.LogLevel;
import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.time.Instant;
import java.util.Map;

/**
 * Records something that happened in the application ({@code file_opened}, {@code sync_failed}). It is
 * stored with the session and published as a {@link dev.cove.api.events.SessionEvent}.
 *
 * @param level defaults to INFO
 * @param time  when it happened; defaults to when the daemon receives it
 */
@Method("action:sessions.event.log.input.v1")
public record LogEvent(String sessionId, String name, @Nullable LogLevel level, @Nullable Map<String, Object> data,
                       @Nullable Instant time) implements Request<EventLogged> {
    public LogEvent {
        sessionId = Checks.sessionId(sessionId);
        AppEvent checked = new AppEvent(name, level, data, time);
        name = checked.name();
        data = checked.data();
        time = checked.time();
    }

    public AppEvent event() {
        return new AppEvent(name, level, data, time);
    }
}
