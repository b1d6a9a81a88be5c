package dev.cove.api.events;

import dev.cove.api.locations.LocationState;

import java.time.Instant;

/** A location was added or removed, or its state changed (indexing, online, offline). */
public record LocationChanged(String libraryId, long locationId, String path, Change change, LocationState state,
                              Instant time) implements CoveEvent {
    public enum Change { ADDED, REMOVED, STATE }
}
