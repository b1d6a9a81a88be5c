package dev.cove.api.events;

import java.time.Instant;

/** A client finished its hello. */
public record ClientConnected(long connectionId, String name, long pid, String user, Instant time)
        implements CoveEvent {
}
