package dev.cove.daemon.library;

import dev.cove.daemon.Services;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.daemon.jobs.Trash;
import dev.cove.daemon.storage.StorageException;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.server.EventHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts and stops the libraries, locations, files and jobs domains as one unit, so the daemon's bootstrap
 * only needs two lines: {@code start} (registers {@link Libraries}, {@link JobManager} and {@link Trash} as
 * services) and {@code close}.
 */
public final class FilesDomain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FilesDomain.class);
    private final JobManager jobs;
    private final Libraries libraries;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FilesDomain(JobManager jobs, Libraries libraries) {
        this.jobs = jobs;
        this.libraries = libraries;
    }

    public static FilesDomain start(InstancePaths paths, EventHub hub, Services services) throws IOException {
        Files.createDirectories(paths.instanceDataDir());
        JobManager jobs;
        try {
            jobs = new JobManager(paths.instanceDataDir().resolve("jobs.db"), hub, 4);
            jobs.recover();
        } catch (StorageException e) {
            throw new IOException("cannot open the job store " + paths.instanceDataDir().resolve("jobs.db") + ": "
                    + e.getMessage(), e);
        }
        Libraries libraries = new Libraries(paths.instanceDataDir().resolve("libraries"), hub, jobs);
        libraries.open();
        services.put(JobManager.class, jobs).put(Libraries.class, libraries).put(Trash.class, Trash.home(System.getenv()));
        return new FilesDomain(jobs, libraries);
    }

    /** Interrupts running jobs (stored as INTERRUPTED), then stops watchers and closes the databases. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            jobs.close();
        } catch (RuntimeException e) {
            log.warn("stopping jobs: {}", e.toString());
        }
        libraries.close();
    }
}
