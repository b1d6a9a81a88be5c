package dev.cove.daemon.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One SQLite database file in WAL mode, shared by many threads.
 *
 * <p><b>Writes</b> go through a single writer thread that groups whatever writes are waiting into one
 * transaction (group commit): each write runs inside its own savepoint, so one that throws is rolled
 * back alone and its caller gets the exception, while the others commit together. {@link #write}
 * returns only after the COMMIT, so with {@link Durability#FULL} an acknowledged write is on disk
 * (WAL fsynced), and many concurrent writers share one fsync.
 *
 * <p><b>Reads</b> run on a small pool of read-only connections, each call in one read transaction
 * (a consistent snapshot), beside the writer as WAL allows.
 *
 * <p>All database work happens on platform threads owned here: SQLite's JNI calls would otherwise pin
 * the carriers of the virtual threads that run RPC handlers.
 *
 * <p><b>Schema</b>: {@link Migration}s by version, applied at open; a file from a newer schema is
 * refused rather than misread.
 *
 * <p><b>Bulk loads</b> (the file indexer): {@link #writeAsync} queues a large write without waiting, so a
 * producer can prepare the next batch while the writer commits this one; {@link #exclusive} runs one
 * write in a transaction of its own (no group commit), for work such as building an index after a bulk
 * load.
 *
 * <p><b>Durability is chosen per database</b> ({@link Options#durability}): sessions and job records use
 * {@link Durability#FULL}; a file index, which can be rebuilt from the disk, uses {@link Durability#NORMAL}.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /** When a commit counts as done. */
    public enum Durability {
        /** fsync the WAL on every commit: survives power loss and OS crashes, not just process death. */
        FULL,
        /** fsync only at checkpoints: survives the process being killed, may lose the last commits on power loss. */
        NORMAL
    }

    /** Prepares each connection (writer and readers) after it opens: pragmas, SQL functions. */
    @FunctionalInterface
    public interface Setup {
        void apply(Connection c) throws SQLException;

        Setup NONE = c -> {
        };
    }

    /** Work done with a connection inside the transaction the database manages; must not commit itself. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * @param readers  read connections (and threads)
     * @param maxBatch most writes grouped into one transaction
     */
    public record Options(Durability durability, int readers, int maxBatch, Setup setup) {
        public Options {
            setup = setup == null ? Setup.NONE : setup;
        }

        public Options(Durability durability, int readers, int maxBatch) {
            this(durability, readers, maxBatch, Setup.NONE);
        }

        public static Options defaults() {
            return new Options(Durability.FULL, 2, 512);
        }

        public Options withDurability(Durability d) {
            return new Options(d, readers, maxBatch, setup);
        }

        public Options withReaders(int n) {
            return new Options(durability, n, maxBatch, setup);
        }

        /** Runs {@code s} on every connection after it opens (pragmas such as cache_size, SQL functions). */
        public Options withSetup(Setup s) {
            return new Options(durability, readers, maxBatch, s);
        }
    }

    /** Counters since open: writes done, transactions committed (fsyncs, with FULL), largest group. */
    public record Stats(long writes, long commits, long failedWrites, int largestGroup) {
    }

    private static final class Task<T> {
        final Work<T> work;
        final boolean alone;
        final CompletableFuture<T> future = new CompletableFuture<>();
        T result;
        Throwable error;

        Task(Work<T> work) {
            this(work, false);
        }

        Task(Work<T> work, boolean alone) {
            this.work = work;
            this.alone = alone;
        }

        void runIn(Connection c) throws SQLException {
            result = work.run(c);
        }

        void finish() {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(result);
            }
        }
    }

    private static final Task<Void> STOP = new Task<>(c -> null);

    private final Path file;
    private final String label;
    private final Options options;
    private final Connection writer;
    private final Thread writerThread;
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    /**
     * Free read connections, most recently used first (taken and returned at the front): a hot connection keeps
     * its page cache warm for the next read, and connections used only under concurrency keep theirs small
     * (SQLite fills a connection's cache lazily), which keeps the daemon's memory down.
     */
    private final java.util.concurrent.BlockingDeque<Connection> readers;
    private final ExecutorService readPool;
    private final List<Connection> all = new ArrayList<>();
    private final int schemaVersion;
    private final LongAdder writes = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder failedWrites = new LongAdder();
    private volatile int largestGroup;
    private volatile boolean closed;

    private Database(Path file, List<Migration> migrations, Options options) throws SQLException, IOException {
        this.file = file.toAbsolutePath();
        this.label = file.getFileName().toString();
        this.options = options;
        createPrivately(this.file);
        this.writer = connect(false);
        try (Statement st = writer.createStatement()) {
            String mode = queryString(st, "PRAGMA journal_mode=WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new StorageException("cannot use write-ahead logging for " + this.file + " (SQLite answered '"
                        + mode + "'); is the folder on a network or read-only file system?");
            }
            st.execute("PRAGMA synchronous=" + options.durability().name());
            st.execute("PRAGMA foreign_keys=ON");
        }
        this.schemaVersion = migrate(migrations);
        this.readers = new java.util.concurrent.LinkedBlockingDeque<>(Math.max(1, options.readers()));
        for (int i = 0; i < Math.max(1, options.readers()); i++) {
            readers.add(connect(true));
        }
        AtomicInteger n = new AtomicInteger();
        this.readPool = Executors.newFixedThreadPool(readers.size(), r -> {
            Thread t = new Thread(r, "sqlite-read-" + label + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.writerThread = new Thread(this::writeLoop, "sqlite-write-" + label);
        writerThread.setDaemon(true);
        writerThread.start();
    }

    /**
     * Opens (creating if needed, mode 0600) and migrates a database.
     *
     * @throws StorageException naming the file and what to do when it cannot be used
     */
    public static Database open(Path file, List<Migration> migrations, Options options) {
        try {
            return new Database(file, migrations, options);
        } catch (SQLException e) {
            throw new StorageException("cannot open the database " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StorageException("cannot create the database " + file + ": " + e, e);
        }
    }

    public Path file() {
        return file;
    }

    /** The schema version after migrations ran. */
    public int schemaVersion() {
        return schemaVersion;
    }

    public Stats stats() {
        return new Stats(writes.sum(), commits.sum(), failedWrites.sum(), largestGroup);
    }

    private static void createPrivately(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (Files.exists(file)) {
            return;
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException ignored) {
            // created meanwhile
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system
        }
    }

    /** A connection; a reader is {@code query_only} before {@link Options#setup} runs, which may ask (see {@link #isReader}). */
    private Connection connect(boolean reader) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=10000");
            if (reader) {
                st.execute("PRAGMA query_only=ON");
            }
        }
        options.setup().apply(c);
        all.add(c);
        return c;
    }

    /** Whether {@code c} is one of the read connections (for a {@link Setup} that treats them differently). */
    public static boolean isReader(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA query_only")) {
            return rs.next() && rs.getInt(1) == 1;
        }
    }

    private static String queryString(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private int migrate(List<Migration> migrations) throws SQLException {
        List<Migration> sorted = new ArrayList<>(migrations);
        sorted.sort(Comparator.comparingInt(Migration::version));
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migrations of " + label + " must be numbered 1, 2, 3...; found "
                        + sorted.stream().map(Migration::version).toList());
            }
        }
        int known = sorted.size();
        int version;
        try (Statement st = writer.createStatement()) {
            version = Integer.parseInt(queryString(st, "PRAGMA user_version"));
        }
        if (version > known) {
            throw new StorageException(file + " has schema version " + version + " but this Cove knows versions up to "
                    + known + ": it was written by a newer Cove. Upgrade Cove, or move the file away to start afresh");
        }
        for (Migration m : sorted.subList(version, known)) {
            try (Statement st = writer.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
                try {
                    for (String sql : m.statements()) {
                        st.execute(sql);
                    }
                    st.execute("PRAGMA user_version=" + m.version());
                    st.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    st.execute("ROLLBACK");
                    throw new StorageException("migration " + m.version() + " (" + m.description() + ") of " + file
                            + " failed: " + e.getMessage(), e);
                }
            }
            log.info("{}: schema migrated to version {} ({})", label, m.version(), m.description());
        }
        return known;
    }

    // ---- writing ----

    /**
     * Runs {@code work} in a write transaction and returns once it is committed. Exceptions thrown by
     * {@code work} reach the caller unchanged (its changes rolled back); a failed commit is a
     * {@link StorageException}. Called from inside another write, it joins that transaction.
     */
    public <T> T write(Work<T> work) {
        if (Thread.currentThread() == writerThread) {
            try {
                return work.run(writer);
            } catch (SQLException e) {
                throw new StorageException(label + ": " + e.getMessage(), e);
            }
        }
        return await(enqueue(new Task<>(work)), "write");
    }

    /**
     * Queues {@code work} like {@link #write} but returns at once: the future completes after the commit
     * (or with the exception {@link #write} would have thrown). For bulk loads that prepare the next batch
     * while this one is written; writes are applied in the order they were queued.
     */
    public <T> CompletableFuture<T> writeAsync(Work<T> work) {
        if (Thread.currentThread() == writerThread) {
            throw new IllegalStateException("writeAsync from inside a write would deadlock; use the connection given");
        }
        return enqueue(new Task<>(work));
    }

    /**
     * Runs {@code work} in a write transaction of its own, not grouped with other writes (which wait for
     * it): for long work such as creating an index after a bulk load, whose failure must not fail others.
     */
    public <T> T exclusive(Work<T> work) {
        if (Thread.currentThread() == writerThread) {
            throw new IllegalStateException("exclusive() from inside a write");
        }
        return await(enqueue(new Task<>(work, true)), "write");
    }

    private <T> CompletableFuture<T> enqueue(Task<T> task) {
        synchronized (this) {
            if (closed) {
                throw new StorageException("the database " + file + " is closed (the daemon is stopping)");
            }
            queue.add(task); // under the lock, so that STOP is always the last task queued
        }
        return task.future;
    }

    private void writeLoop() {
        List<Task<?>> group = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only STOP ends the writer, so that queued writes are never abandoned
            }
            queue.drainTo(group, Math.max(0, options.maxBatch() - 1));
            if (group.remove(STOP)) {
                stop = true;
                queue.drainTo(group); // close() refuses new writes before queueing STOP; finish the rest
            }
            // a task that wants a transaction of its own splits the group: before it, it, after it
            List<Task<?>> run = new ArrayList<>();
            for (Task<?> t : group) {
                if (t.alone) {
                    if (!run.isEmpty()) {
                        commitGroup(run);
                        run = new ArrayList<>();
                    }
                    commitGroup(List.of(t));
                } else {
                    run.add(t);
                }
            }
            if (!run.isEmpty()) {
                commitGroup(run);
            }
            group.clear();
        }
    }

    private void commitGroup(List<Task<?>> group) {
        try (Statement st = writer.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                for (Task<?> t : group) {
                    st.execute("SAVEPOINT w");
                    try {
                        t.runIn(writer);
                        st.execute("RELEASE w");
                    } catch (Throwable e) {
                        t.error = e instanceof SQLException se
                                ? new StorageException(label + ": " + se.getMessage(), se) : e;
                        st.execute("ROLLBACK TO w");
                        st.execute("RELEASE w");
                    }
                }
                st.execute("COMMIT");
            } catch (SQLException e) {
                try {
                    st.execute("ROLLBACK");
                } catch (SQLException ignored) {
                    // SQLite may have rolled back already
                }
                throw e;
            }
            commits.increment();
            writes.add(group.size());
            if (group.size() > largestGroup) {
                largestGroup = group.size();
            }
        } catch (SQLException e) {
            log.error("{}: a transaction of {} writes failed: {}", label, group.size(), e.getMessage());
            for (Task<?> t : group) {
                if (t.error == null) {
                    t.error = new StorageException("could not save to " + file + ": " + e.getMessage(), e);
                }
            }
        }
        for (Task<?> t : group) {
            if (t.error != null) {
                failedWrites.increment();
            }
            t.finish();
        }
    }

    // ---- reading ----

    /**
     * Like {@link #read}, but on the calling thread with a borrowed read connection: for short reads on a
     * latency path (a search page by primary key), where handing the work to a pool thread and back costs
     * more than the read itself, the more so on a busy machine.
     */
    public <T> T readInline(Work<T> work) {
        if (closed) {
            throw new StorageException("the database " + file + " is closed (the daemon is stopping)");
        }
        Connection c;
        try {
            c = readers.takeFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for a read connection of " + label);
        }
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN");
            try {
                return work.run(c);
            } finally {
                st.execute("ROLLBACK");
            }
        } catch (SQLException e) {
            throw new StorageException(label + ": " + e.getMessage(), e);
        } finally {
            readers.addFirst(c);
        }
    }

    /** Runs {@code work} on a read connection in one read transaction (a consistent snapshot). */
    public <T> T read(Work<T> work) {
        if (closed) {
            throw new StorageException("the database " + file + " is closed (the daemon is stopping)");
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            readPool.execute(() -> {
                if (f.isDone()) {
                    return; // the caller gave up before we started
                }
                Connection c;
                try {
                    c = readers.takeFirst(); // free unless readInline borrowed it
                } catch (InterruptedException e) {
                    f.cancel(false);
                    return;
                }
                try (Statement st = c.createStatement()) {
                    st.execute("BEGIN");
                    try {
                        f.complete(work.run(c));
                    } finally {
                        st.execute("ROLLBACK");
                    }
                } catch (SQLException e) {
                    f.completeExceptionally(new StorageException(label + ": " + e.getMessage(), e));
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                } finally {
                    readers.addFirst(c);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new StorageException("the database " + file + " is closed (the daemon is stopping)");
        }
        return await(f, "read");
    }

    private <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new StorageException(label + ": " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(false);
            throw new CancellationException("interrupted while waiting for a " + what + " of " + label
                    + "; a write may still complete");
        }
    }

    // ---- closing ----

    /** Finishes queued writes, checkpoints the WAL into the main file and closes every connection. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        try {
            writerThread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readPool.shutdown();
        try {
            readPool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Statement st = writer.createStatement()) {
            st.execute("PRAGMA optimize");
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            log.debug("{}: checkpoint on close failed: {}", label, e.getMessage());
        }
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
