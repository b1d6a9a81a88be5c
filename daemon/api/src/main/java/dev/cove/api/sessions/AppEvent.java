package dev.cove.api.sessions;

import dev.cove.api.events.LogLevel;
import dev.cove.rpc.Nullable;

import java.time.Instant;
import java.util.Map;

/** One application event inside a {@link Report}; see {@link LogEvent}. */
public record AppEvent(String name, @Nullable LogLevel level, @Nullable Map<String, Object> data,
                       @Nullable Instant time) {
    public AppEvent {
        name = Checks.name("event name", name);
        data = StateMerge.normalize(data, "event '" + name + "' data");
        time = Checks.time("event time", time);
    }
}
