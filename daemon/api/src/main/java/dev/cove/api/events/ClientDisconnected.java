package dev.cove.api.events;

import java.time.Instant;

/** A client's connection closed. */
public record ClientDisconnected(long connectionId, String name, long pid, String user, Instant time)
        implements CoveEvent {
}
