package dev.cove.api.events;

import java.time.Instant;
import java.util.List;

/**
 * The file watcher updated the index of a location. {@code paths} lists up to 100 of the changed paths.
 */
public record FilesChanged(String libraryId, long locationId, int added, int modified, int removed,
                           List<String> paths, Instant time) implements CoveEvent {
}
