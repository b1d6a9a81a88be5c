package dev.cove.api.events;

import java.time.Instant;

/** A library was created, renamed or deleted. */
public record LibraryChanged(String libraryId, String name, Change change, Instant time) implements CoveEvent {
    public enum Change { CREATED, RENAMED, DELETED }
}
