package dev.cove.daemon.jobs;

import dev.cove.api.events.JobUpdate;
import dev.cove.api.jobs.FileCounts;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.jobs.JobState;
import dev.cove.daemon.storage.Database;
import dev.cove.daemon.storage.Migration;
import dev.cove.daemon.storage.StorageException;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.server.EventHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs jobs on a small pool of platform threads, stores every job in {@code {instance_data}/jobs.db} and
 * publishes {@link JobUpdate}s: on each state change, and at most every {@link #PUBLISH_INTERVAL_NANOS}
 * in between. On start, jobs a dead daemon left as queued/running/paused are marked INTERRUPTED and their
 * temporary files removed.
 */
public final class JobManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobManager.class);
    static final long PUBLISH_INTERVAL_NANOS = 100_000_000L;
    private static final long PERSIST_INTERVAL_NANOS = 1_000_000_000L;
    private static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "jobs",
            """
            CREATE TABLE IF NOT EXISTS jobs(
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              kind TEXT NOT NULL, state TEXT NOT NULL, description TEXT NOT NULL, library_id TEXT,
              done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
              bytes INTEGER NOT NULL DEFAULT 0, bytes_total INTEGER NOT NULL DEFAULT 0,
              error TEXT, result TEXT, temp_path TEXT,
              created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER)
            """,
            "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state)"),
            // NULL in older records and in jobs that copy nothing: those read back with counts null
            Migration.of(2, "what copy and move jobs did with each file",
                    "ALTER TABLE jobs ADD COLUMN copied INTEGER", "ALTER TABLE jobs ADD COLUMN skipped INTEGER",
                    "ALTER TABLE jobs ADD COLUMN overwritten INTEGER", "ALTER TABLE jobs ADD COLUMN renamed INTEGER"));

    /** A job's work; returns a one-line summary. */
    @FunctionalInterface
    public interface Body {
        String run(JobContext ctx) throws Exception;
    }

    private final Database db;
    private final EventHub hub;
    private final ExecutorService pool;
    private final Map<Long, Job> live = new ConcurrentHashMap<>();
    private volatile boolean closing;

    public JobManager(Path dbFile, EventHub hub, int threads) {
        // FULL: a job's stored state (and the temporary file a copy recorded) must be on disk before the job
        // acts on it, so that after a crash or power loss the record never claims less than what happened
        this.db = Database.open(dbFile, MIGRATIONS, Database.Options.defaults().withDurability(Database.Durability.FULL));
        this.hub = hub;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Marks jobs left unfinished by a previous daemon as INTERRUPTED and deletes their temporary files.
     * Returns the jobs so marked.
     */
    public List<JobInfo> recover() {
        List<JobInfo> stale = db.read(c -> query(c, "WHERE state IN ('QUEUED','RUNNING','PAUSED') ORDER BY id", -1));
        List<String> temps = db.read(c -> {
            List<String> t = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT temp_path FROM jobs WHERE temp_path IS NOT NULL")) {
                ResultSet rs = ps.executeQuery();
                while (rs.next()) {
                    t.add(rs.getString(1));
                }
            }
            return t;
        });
        for (String t : temps) {
            try {
                if (Files.deleteIfExists(Path.of(t))) {
                    log.info("removed {} left by an interrupted job", t);
                }
            } catch (IOException e) {
                log.warn("cannot remove {} left by an interrupted job: {}", t, e.toString());
            }
        }
        long now = System.currentTimeMillis();
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state='INTERRUPTED', finished_at=?, "
                    + "error=coalesce(error, 'the daemon stopped while this job was ' || lower(state)) "
                    + "WHERE state IN ('QUEUED','RUNNING','PAUSED')")) {
                ps.setLong(1, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET temp_path=NULL WHERE temp_path IS NOT NULL")) {
                ps.executeUpdate();
            }
            return null;
        });
        for (JobInfo j : stale) {
            log.warn("job {} ({}) was {} when the daemon stopped; marked interrupted", j.id(), j.description(), j.state());
        }
        return stale;
    }

    public JobInfo submit(JobKind kind, String description, String libraryId, Body body) {
        if (closing) {
            throw new RpcException(dev.cove.rpc.ErrorCode.SHUTTING_DOWN, "the daemon is stopping; start the job again once it runs");
        }
        long now = System.currentTimeMillis();
        long id;
        try {
            id = db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs(kind, state, description, library_id, created_at) "
                        + "VALUES(?, 'QUEUED', ?, ?, ?)", java.sql.Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, kind.name());
                    ps.setString(2, description);
                    ps.setString(3, libraryId);
                    ps.setLong(4, now);
                    ps.executeUpdate();
                    ResultSet rs = ps.getGeneratedKeys();
                    rs.next();
                    return rs.getLong(1);
                }
            });
        } catch (StorageException e) {
            throw new IllegalStateException("cannot record the job: " + e.getMessage(), e);
        }
        Job job = new Job(id, kind, description, libraryId, Instant.ofEpochMilli(now), body);
        live.put(id, job);
        job.publish(true);
        pool.execute(job::run);
        return job.info();
    }

    public JobInfo get(long id) {
        Job j = live.get(id);
        if (j != null) {
            return j.info();
        }
        try {
            List<JobInfo> l = db.read(c -> query(c, "WHERE id=" + id, 1));
            if (l.isEmpty()) {
                throw RpcException.notFound("no job " + id + "; see `cove jobs list`");
            }
            return l.get(0);
        } catch (StorageException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public List<JobInfo> list(JobState state, int limit) {
        try {
            List<JobInfo> stored = db.read(c -> query(c, state == null ? "ORDER BY id DESC"
                    : "WHERE state='" + state.name() + "' ORDER BY id DESC", -1));
            List<JobInfo> out = new ArrayList<>();
            for (JobInfo s : stored) {
                Job j = live.get(s.id());
                JobInfo i = j != null ? j.info() : s;
                if (state == null || i.state() == state) {
                    out.add(i);
                }
                if (out.size() >= limit) {
                    break;
                }
            }
            return out;
        } catch (StorageException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Jobs by state, every state present: finished ones as stored, unfinished ones as they are in memory
     * now (a running job's stored row lags behind it).
     */
    public Map<JobState, Long> countByState() {
        Map<JobState, Long> out = new java.util.EnumMap<>(JobState.class);
        for (JobState st : JobState.values()) {
            out.put(st, 0L);
        }
        try {
            db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT state, count(*) FROM jobs WHERE state IN "
                        + "('COMPLETED','FAILED','CANCELLED','INTERRUPTED') GROUP BY state");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(JobState.valueOf(rs.getString(1)), rs.getLong(2));
                    }
                }
                return null;
            });
        } catch (StorageException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        for (Job j : live.values()) {
            JobState st = j.info().state();
            if (!st.isFinished()) {
                out.merge(st, 1L, Long::sum);
            }
        }
        return out;
    }

    private Job liveJob(long id, String verb) {
        Job j = live.get(id);
        if (j == null) {
            JobInfo i = get(id); // NOT_FOUND if unknown
            throw RpcException.conflict("job " + id + " is " + i.state().name().toLowerCase() + "; only queued, running or paused jobs can be " + verb);
        }
        return j;
    }

    /** Asks a job to stop and waits up to 5 s for it to do so. */
    public JobInfo cancel(long id) {
        Job j = liveJob(id, "cancelled");
        j.cancel(JobState.CANCELLED);
        j.awaitEnd(5_000);
        return j.info();
    }

    public JobInfo pause(long id) {
        Job j = liveJob(id, "paused");
        j.pause();
        return j.info();
    }

    public JobInfo resume(long id) {
        Job j = liveJob(id, "resumed");
        j.resume();
        return j.info();
    }

    /** Blocks until the job ends (tests and callers that chain jobs). */
    public JobInfo await(long id, long millis) {
        Job j = live.get(id);
        if (j != null) {
            j.awaitEnd(millis);
        }
        return get(id);
    }

    @Override
    public void close() {
        closing = true;
        for (Job j : live.values()) {
            j.cancel(JobState.INTERRUPTED);
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("jobs still running at shutdown: {}", live.keySet());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }

    private static List<JobInfo> query(Connection c, String where, int limit) throws SQLException {
        List<JobInfo> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, state, description, done, total, bytes, bytes_total, "
                + "library_id, error, result, created_at, started_at, finished_at, copied, skipped, overwritten, renamed "
                + "FROM jobs " + where
                + (limit > 0 ? " LIMIT " + limit : ""))) {
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                out.add(new JobInfo(rs.getLong(1), JobKind.valueOf(rs.getString(2)), JobState.valueOf(rs.getString(3)),
                        rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getString(9),
                        rs.getString(10), rs.getString(11), Instant.ofEpochMilli(rs.getLong(12)), instant(rs, 13),
                        instant(rs, 14), counts(rs, 15)));
            }
        }
        return out;
    }

    private static FileCounts counts(ResultSet rs, int col) throws SQLException {
        long copied = rs.getLong(col);
        if (rs.wasNull()) {
            return null;
        }
        return new FileCounts(copied, rs.getLong(col + 1), rs.getLong(col + 2), rs.getLong(col + 3));
    }

    private static Instant instant(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    /** One job in this daemon's life. All mutable state is guarded by {@code this}. */
    private final class Job implements JobContext {
        final long id;
        final JobKind kind;
        final String description;
        final String libraryId;
        final Instant createdAt;
        final Body body;
        JobState state = JobState.QUEUED;
        boolean paused;
        JobState cancelAs; // non-null once cancel was asked: CANCELLED or INTERRUPTED
        boolean started;
        long done, total, bytes, bytesTotal;
        String error, result, message;
        Instant startedAt, finishedAt;
        long lastPublish, lastPersist;
        double rate;
        long rateBytes, rateTime = System.nanoTime();
        Path temp;
        private volatile boolean unlist;
        FileCounts counts;

        Job(long id, JobKind kind, String description, String libraryId, Instant createdAt, Body body) {
            this.id = id;
            this.kind = kind;
            this.description = description;
            this.libraryId = libraryId;
            this.createdAt = createdAt;
            this.body = body;
        }

        synchronized JobInfo info() {
            return new JobInfo(id, kind, state, description, done, total, bytes, bytesTotal, libraryId, error, result,
                    createdAt, startedAt, finishedAt, counts);
        }

        void run() {
            synchronized (this) {
                if (cancelAs != null) {
                    finish(cancelAs, null, null);
                    return;
                }
                started = true;
                startedAt = Instant.now();
                state = paused ? JobState.PAUSED : JobState.RUNNING;
            }
            persist(true);
            publish(true);
            JobState end;
            String err = null;
            String res = null;
            try {
                checkpoint();
                res = body.run(this);
                end = JobState.COMPLETED;
            } catch (CancellationException e) {
                synchronized (this) {
                    end = cancelAs != null ? cancelAs : JobState.CANCELLED;
                }
                err = end == JobState.INTERRUPTED ? "the daemon stopped while this job ran" : null;
            } catch (Throwable e) {
                end = JobState.FAILED;
                err = e instanceof RpcException || e instanceof IOException || e instanceof IllegalArgumentException
                        ? e.getMessage() : e.toString();
                if (e instanceof java.nio.file.AccessDeniedException ade) {
                    err = "permission denied: " + ade.getFile();
                } else if (e instanceof java.nio.file.NoSuchFileException nf) {
                    err = "no such file or folder: " + nf.getFile();
                }
                log.warn("job {} ({}) failed: {}", id, description, err, e instanceof RpcException ? null : e);
            }
            finish(end, err, res);
        }

        void finish(JobState end, String err, String res) {
            synchronized (this) {
                state = end;
                error = err;
                result = res;
                finishedAt = Instant.now();
                temp = null;
                notifyAll();
            }
            boolean forget = unlist && end == JobState.COMPLETED;
            if (!forget) {
                persist(true);
            }
            publish(true);
            live.remove(id);
            if (forget) {
                delete();
            }
        }

        private void delete() {
            try {
                db.write(c -> {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM jobs WHERE id=?")) {
                        ps.setLong(1, id);
                        ps.executeUpdate();
                    }
                    return null;
                });
            } catch (StorageException e) {
                log.warn("job {}: cannot delete its record: {}", id, e.getMessage());
            }
        }

        synchronized void awaitEnd(long millis) {
            long deadline = System.currentTimeMillis() + millis;
            while (!state.isFinished()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        void cancel(JobState as) {
            boolean notStarted;
            synchronized (this) {
                if (state.isFinished() || cancelAs != null) {
                    return;
                }
                cancelAs = as;
                paused = false;
                notStarted = !started;
                notifyAll();
            }
            if (notStarted) {
                finish(as, as == JobState.INTERRUPTED ? "the daemon stopped before this job started" : null, null);
            }
        }

        void pause() {
            synchronized (this) {
                if (state.isFinished() || paused) {
                    return;
                }
                paused = true;
                state = JobState.PAUSED;
            }
            persist(true);
            publish(true);
        }

        void resume() {
            synchronized (this) {
                if (!paused) {
                    return;
                }
                paused = false;
                state = started ? JobState.RUNNING : JobState.QUEUED;
                rateTime = System.nanoTime();
                rateBytes = bytes;
                notifyAll();
            }
            persist(true);
            publish(true);
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public void total(long items, long byteCount) {
            synchronized (this) {
                total = items;
                bytesTotal = byteCount;
            }
            publish(true);
        }

        @Override
        public void advance(long items, long byteCount) {
            synchronized (this) {
                done += items;
                bytes += byteCount;
            }
            publish(false);
            persist(false);
        }

        @Override
        public void phase(String m, long items, long byteCount) {
            synchronized (this) {
                message = m;
                done = 0;
                bytes = 0;
                total = items;
                bytesTotal = byteCount;
                rate = 0;
                rateBytes = 0;
                rateTime = System.nanoTime();
            }
            publish(true);
            persist(true);
        }

        @Override
        public void message(String m) {
            synchronized (this) {
                message = m;
            }
            publish(false);
        }

        @Override
        public void checkpoint() {
            boolean wasPaused = false;
            synchronized (this) {
                while (paused && cancelAs == null) {
                    wasPaused = true;
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CancellationException("interrupted");
                    }
                }
                if (cancelAs != null) {
                    throw new CancellationException("job " + id + " cancelled");
                }
                if (wasPaused) {
                    state = JobState.RUNNING;
                }
            }
        }

        @Override
        public void unlistIfCompleted() {
            unlist = true;
        }

        @Override
        public synchronized void counts(FileCounts c) {
            counts = c; // stored by the next persist, and at the end
        }

        @Override
        public void tempFile(Path t) {
            synchronized (this) {
                temp = t;
            }
            try {
                db.write(c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET temp_path=? WHERE id=?")) {
                        if (t == null) {
                            ps.setNull(1, Types.VARCHAR);
                        } else {
                            ps.setString(1, t.toString());
                        }
                        ps.setLong(2, id);
                        ps.executeUpdate();
                    }
                    return null;
                });
            } catch (StorageException e) {
                log.warn("cannot record temporary file of job {}: {}", id, e.toString());
            }
        }

        void persist(boolean force) {
            JobInfo i;
            Path t;
            synchronized (this) {
                long now = System.nanoTime();
                if (!force && now - lastPersist < PERSIST_INTERVAL_NANOS) {
                    return;
                }
                lastPersist = now;
                i = info();
                t = temp;
            }
            try {
                db.write(c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET state=?, done=?, total=?, bytes=?, bytes_total=?, "
                            + "error=?, result=?, started_at=?, finished_at=?, temp_path=?, copied=?, skipped=?, "
                            + "overwritten=?, renamed=? WHERE id=?")) {
                        ps.setString(1, i.state().name());
                        ps.setLong(2, i.done());
                        ps.setLong(3, i.total());
                        ps.setLong(4, i.bytes());
                        ps.setLong(5, i.bytesTotal());
                        ps.setString(6, i.error());
                        ps.setString(7, i.result());
                        setInstant(ps, 8, i.startedAt());
                        setInstant(ps, 9, i.finishedAt());
                        ps.setString(10, t == null ? null : t.toString());
                        FileCounts n = i.counts();
                        long[] values = n == null ? null : new long[]{n.copied(), n.skipped(), n.overwritten(), n.renamed()};
                        for (int k = 0; k < 4; k++) {
                            if (values == null) {
                                ps.setNull(11 + k, Types.INTEGER);
                            } else {
                                ps.setLong(11 + k, values[k]);
                            }
                        }
                        ps.setLong(15, id);
                        ps.executeUpdate();
                    }
                    return null;
                });
            } catch (StorageException e) {
                log.warn("cannot store job {}: {}", id, e.toString());
            }
        }

        void publish(boolean force) {
            JobUpdate u;
            synchronized (this) {
                long now = System.nanoTime();
                if (!force && now - lastPublish < PUBLISH_INTERVAL_NANOS) {
                    return;
                }
                lastPublish = now;
                double secs = (now - rateTime) / 1e9;
                if (secs >= 0.2 && state == JobState.RUNNING) {
                    double inst = (bytes - rateBytes) / secs;
                    rate = rate == 0 ? inst : 0.5 * rate + 0.5 * inst;
                    rateBytes = bytes;
                    rateTime = now;
                }
                long eta = -1;
                if (state == JobState.RUNNING && rate > 0 && bytesTotal > 0) {
                    eta = (long) Math.ceil(Math.max(0, bytesTotal - bytes) / rate);
                } else if (state == JobState.RUNNING && total > 0 && done > 0 && startedAt != null) {
                    double perItem = (System.currentTimeMillis() - startedAt.toEpochMilli()) / 1000.0 / done;
                    eta = (long) Math.ceil(perItem * (total - done));
                } else if (state == JobState.COMPLETED) {
                    eta = 0;
                }
                u = new JobUpdate(id, kind, state, done, total, bytes, bytesTotal, state.isFinished() ? 0 : rate, eta,
                        libraryId, state.isFinished() ? (error != null ? error : result) : message, Instant.now(), counts);
            }
            hub.publish(u);
        }
    }

    private static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }
}
