package dev.cove.api.locations;

import dev.cove.rpc.Nullable;

import java.time.Instant;

/**
 * A folder indexed into a library.
 *
 * @param unreadable entries the last scan could not read (permissions, vanished mid-scan)
 * @param watching   whether a file watcher keeps the index fresh
 * @param unwatchedFolders folders the watcher could not watch (inotify's {@code fs.inotify.max_user_watches}
 *                   reached): "partly watched"; the daemon rescans the location periodically meanwhile
 * @param partlyIndexed its last scan stopped before the end (cancelled, failed, or the daemon stopped) and none
 *                   runs now: the index holds only part of the folder until a complete scan
 *                   ({@code cove location rescan}), which clears it
 */
public record LocationInfo(long id, String libraryId, String path, LocationState state, long entries, long bytes,
                           long unreadable, Instant addedAt, @Nullable Instant lastScanAt, @Nullable String lastError,
                           boolean watching, long unwatchedFolders, boolean partlyIndexed) {
}
