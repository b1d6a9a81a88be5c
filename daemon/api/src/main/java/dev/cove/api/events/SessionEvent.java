package dev.cove.api.events;

import dev.cove.rpc.EventFilter;
import dev.cove.rpc.Nullable;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something that happened to an application session: an event the application logged, or one the
 * daemon noticed ({@link #APPLICATION_APPEARS_HUNG}, {@link #APPLICATION_RECOVERED},
 * {@link #PARENT_PROCESS_CRASHED}, {@link #SESSION_REGISTERED}, {@link #SESSION_ENDED},
 * {@link #STATE_CHANGED}).
 *
 * <p>Filters: {@code sessionId}, {@code app}, {@code name} and {@code origin} match exactly;
 * {@code level} is a minimum ({@code warn} passes WARN and ERROR).
 *
 * @param eventId the stored event's id (grows over time), or null for events that are published
 *                but not stored ({@link #STATE_CHANGED}, whose effect is the stored state)
 * @param data    details: for daemon events what was seen (pid, last heartbeat, how long it was silent)
 */
public record SessionEvent(@Nullable Long eventId, String sessionId, String app, EventOrigin origin, String name,
                           LogLevel level, Map<String, Object> data, Instant time) implements CoveEvent {
    /** No heartbeat within the session's hang window. */
    public static final String APPLICATION_APPEARS_HUNG = "application_appears_hung";
    /** A heartbeat came after {@link #APPLICATION_APPEARS_HUNG}. */
    public static final String APPLICATION_RECOVERED = "application_recovered";
    /** The application's process is gone and it never ended its session. */
    public static final String PARENT_PROCESS_CRASHED = "parent_process_crashed";
    public static final String SESSION_REGISTERED = "session_registered";
    public static final String SESSION_ENDED = "session_ended";
    /** The state changed; {@code data.patch} holds the merge patch applied. Published, not stored. */
    public static final String STATE_CHANGED = "state_changed";

    @Override
    public boolean matches(EventFilter filter) {
        String min = filter.get("level");
        if (min == null) {
            return filter.matchesComponents(this);
        }
        if (level.compareTo(LogLevel.parse(min)) < 0) {
            return false;
        }
        Map<String, String> rest = new LinkedHashMap<>(filter.fields());
        rest.remove("level");
        return new EventFilter(rest).matchesComponents(this);
    }
}
