package dev.cove.api.files;

import dev.cove.rpc.Nullable;

import java.util.List;

/**
 * One page of results; {@code nextCursor} is null on the last page.
 *
 * @param total      how many entries match in all (on every page, not just from the cursor on); when
 *                   {@code totalExact} is false, counting stopped there and more match
 * @param totalExact whether {@code total} is the exact count rather than a lower bound
 */
public record SearchResult(List<FileEntry> entries, @Nullable String nextCursor, long tookMicros, long total,
                           boolean totalExact) {
}
