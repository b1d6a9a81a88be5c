package dev.cove.api.jobs;

import dev.cove.rpc.Nullable;

import java.time.Instant;

/**
 * A job and its progress.
 *
 * @param done       items (files, entries) finished
 * @param total      items in all, or 0 while unknown
 * @param bytes      bytes processed
 * @param bytesTotal bytes in all, or 0 while unknown
 * @param result     a one-line summary once finished (e.g. "indexed 1200 entries, 3 unreadable")
 * @param counts     copy and move jobs: what happened to each file (copied, skipped, overwritten, renamed);
 *                   null for other jobs and for jobs recorded before these counts were kept
 */
public record JobInfo(long id, JobKind kind, JobState state, String description, long done, long total, long bytes,
                      long bytesTotal, @Nullable String libraryId, @Nullable String error, @Nullable String result,
                      Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt,
                      @Nullable FileCounts counts) {
}
