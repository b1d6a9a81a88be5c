package dev.cove.daemon.jobs;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;

/** What a running job's body sees: progress reporting and the cancel/pause checkpoint. */
public interface JobContext {
    long id();

    /** Sets the totals once known (0 = unknown). */
    void total(long items, long bytes);

    /** Adds finished items and processed bytes. */
    void advance(long items, long bytes);

    /**
     * Starts a new phase of a job that has several (indexing: metadata, search index, content ids): progress
     * restarts at zero with the given totals (0 = unknown) and {@code message} names the phase; a JobUpdate
     * goes out at once.
     */
    void phase(String message, long items, long bytes);

    /** A short note on what is happening now (shown in JobUpdate.message). */
    void message(String message);

    /**
     * Returns at once normally; blocks while the job is paused; throws {@link CancellationException} once it is
     * cancelled or the daemon is stopping. Bodies call it between units of work.
     */
    void checkpoint() throws CancellationException;

    /** Records what a copy or move did so far with each file; stored with the job. */
    void counts(dev.cove.api.jobs.FileCounts counts);

    /** Records a temporary file this job is writing, so that a crash leaves nothing behind (removed at next start). */
    void tempFile(Path temp);

    /**
     * Asks that the job, if it completes, leave no record in the job list: its final {@code JobUpdate} is still
     * published, then the record is deleted. For work that turned out to be a no-op nobody asked for (a start-up
     * rescan that found nothing changed); a failed or cancelled job is always kept.
     */
    void unlistIfCompleted();
}
