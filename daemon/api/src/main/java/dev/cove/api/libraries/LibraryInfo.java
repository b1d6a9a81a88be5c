package dev.cove.api.libraries;

import java.time.Instant;

/**
 * A library: a named set of locations with its own index database.
 *
 * @param entries indexed files and folders over all locations
 * @param bytes   total size of the indexed files
 */
public record LibraryInfo(String id, String name, Instant createdAt, int locations, long entries, long bytes,
                          String database) {
}
