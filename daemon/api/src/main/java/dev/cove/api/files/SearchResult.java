package dev.cove.api.files;

import dev.cove.rpc.Nullable;

import java.util.List;

/** One page of results; {@code nextCursor} is null on the last page. */
public record SearchResult(List<FileEntry> entries, @Nullable String nextCursor, long tookMicros) {
}
