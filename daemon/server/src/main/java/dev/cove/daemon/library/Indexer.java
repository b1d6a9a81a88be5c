package dev.cove.daemon.library;

import dev.cove.api.files.FileNames;
import dev.cove.daemon.storage.Database;
import dev.cove.api.files.FileKind;
import dev.cove.daemon.jobs.JobContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Walks a location (or a folder inside it) and brings its index rows in line with the disk. Symbolic links
 * are indexed as entries but never followed, so link loops cannot trap the walk. Files whose size, modified
 * time and inode are unchanged keep their content id without being read again. Rows are written in batches,
 * one transaction each.
 */
public final class Indexer {
    private static final Logger log = LoggerFactory.getLogger(Indexer.class);
    static final int BATCH = 2000;
    /** Rows per transaction while walking: large, since a commit costs about as much as thousands of rows. */
    static final int BULK_BATCH = 20_000;
    static final String UPSERT = "INSERT INTO entries(location_id, path, parent, name, lname, ext, kind, size, modified, "
            + "created, inode, content_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(path) DO UPDATE SET "
            + "location_id=excluded.location_id, parent=excluded.parent, name=excluded.name, lname=excluded.lname, "
            + "ext=excluded.ext, kind=excluded.kind, size=excluded.size, modified=excluded.modified, "
            + "created=excluded.created, inode=excluded.inode, content_id=excluded.content_id";

    /** What a scan found. */
    public record Stats(long entries, long hashed, long unreadable, long bytes, long removed, List<String> changed) {
    }

    record Old(long size, long modified, long inode, String contentId) {
    }

    /** An indexed row as a walk compares it: whether it has its content id, not the id itself. */
    record Seen(long size, long modified, long inode, boolean identified) {
    }

    /** The rows of {@code locationId} at or below {@code top}, by path. */
    static Map<String, Seen> seen(Connection c, long locationId, String top) throws SQLException {
        int n;
        try (PreparedStatement ps = atOrBelow(c, "SELECT count(*) FROM entries", locationId, top)) {
            ResultSet rs = ps.executeQuery();
            n = rs.next() ? rs.getInt(1) : 0;
        }
        Map<String, Seen> m = HashMap.newHashMap(n); // sized once: resizing was a tenth of a rescan's samples
        try (PreparedStatement ps = atOrBelow(c, "SELECT path, size, modified, inode, content_id IS NOT NULL FROM entries",
                locationId, top)) {
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                m.put(rs.getString(1), new Seen(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getInt(5) != 0));
            }
        }
        return m;
    }

    /** {@code select} limited to the rows of {@code locationId} at or below {@code top}, its parameters bound. */
    private static PreparedStatement atOrBelow(Connection c, String select, long locationId, String top)
            throws SQLException {
        String base = top.endsWith("/") ? top : top + "/";
        String end = base.substring(0, base.length() - 1) + "0"; // '0' sorts right after '/'
        PreparedStatement ps = c.prepareStatement(select
                + " WHERE location_id = ? AND (path = ? OR (path >= ? AND path < ?))");
        ps.setLong(1, locationId);
        ps.setString(2, top);
        ps.setString(3, base);
        ps.setString(4, end);
        return ps;
    }

    record Row(String path, String parent, String name, String ext, FileKind kind, long size, long modified,
               Long created, long inode, String contentId) {
    }

    private Indexer() {
    }

    /** Inode from the file key ("(dev=..,ino=..)" on Unix), else from the unix:ino attribute, else 0. */
    static long inode(Path p, BasicFileAttributes a) {
        Object key = a.fileKey();
        if (key != null) {
            String s = key.toString();
            int i = s.indexOf("ino=");
            if (i >= 0) {
                int j = i + 4;
                int k = j;
                while (k < s.length() && Character.isDigit(s.charAt(k))) {
                    k++;
                }
                if (k > j) {
                    return Long.parseLong(s.substring(j, k));
                }
            }
        }
        try {
            return ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String nameOf(Path p) {
        return FileNames.name(p);
    }

    /** Builds a row, reusing the old content id when size, time and inode are unchanged; null id if unreadable. */
    static Row row(Path p, BasicFileAttributes a, Old old, long[] hashedOut) throws IOException {
        return row(p, a, old, hashedOut, true);
    }

    /** As above; with {@code hash} false a new or changed file gets a null id, computed later by {@link #identify}. */
    static Row row(Path p, BasicFileAttributes a, Old old, long[] hashedOut, boolean hash) throws IOException {
        String path = FileNames.of(p);
        String name = path.length() > 1 ? path.substring(path.lastIndexOf('/') + 1) : path;
        boolean dir = a.isDirectory();
        long size = dir ? 0 : a.size();
        long modified = a.lastModifiedTime().toMillis();
        long created = a.creationTime().toMillis();
        long inode = inode(p, a);
        String cid = null;
        if (a.isRegularFile()) {
            if (old != null && old.size == size && old.modified == modified && old.inode == inode && old.contentId != null) {
                cid = old.contentId;
            } else if (hash) {
                cid = ContentId.of(p);
                if (hashedOut != null) {
                    hashedOut[0]++;
                }
            }
        }
        return new Row(path, parentOf(path), name, dir ? "" : Kinds.extension(name), Kinds.of(name, dir), size,
                modified, created == 0 ? null : created, inode, cid);
    }

    static void upsert(PreparedStatement ps, long locationId, Row r) throws SQLException {
        ps.setLong(1, locationId);
        ps.setString(2, r.path);
        ps.setString(3, r.parent);
        ps.setString(4, r.name);
        ps.setString(5, r.name.toLowerCase(Locale.ROOT));
        ps.setString(6, r.ext);
        ps.setString(7, r.kind.name().toLowerCase(Locale.ROOT));
        ps.setLong(8, r.size);
        ps.setLong(9, r.modified);
        if (r.created == null) {
            ps.setNull(10, Types.INTEGER);
        } else {
            ps.setLong(10, r.created);
        }
        ps.setLong(11, r.inode);
        ps.setString(12, r.contentId);
        ps.addBatch();
    }

    /** Deletes a path and everything below it; returns rows removed. */
    static int deleteTree(Connection c, NameIndex names, String path) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM entries WHERE path = ? OR (path >= ? AND path < ?) RETURNING id")) {
            ps.setString(1, path);
            String base = path.endsWith("/") ? path : path + "/";
            ps.setString(2, base);
            ps.setString(3, base.substring(0, base.length() - 1) + "0"); // '0' sorts right after '/'
            return removedRows(ps, names);
        }
    }

    /** Runs a {@code DELETE ... RETURNING id}, telling the name table; returns the rows deleted. */
    static int removedRows(PreparedStatement ps, NameIndex names) throws SQLException {
        int n = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                n++;
                if (names != null) {
                    names.removed(rs.getLong(1));
                }
            }
        }
        return n;
    }

    /** A regular file whose content id is still to be computed (phase 2), with what the walk saw. */
    record ToHash(String path, long size, long modified) {
    }

    /**
     * The files to hash, kept compact: a first scan holds one per file from the walk to the end of the job
     * (200,000 of them for the bench tree), so instead of a record, a String and its array each (~84 bytes
     * besides the path's characters) they are UTF-8 bytes in one array plus three primitive arrays (20 bytes
     * besides the path); {@link #get} rebuilds a {@link ToHash} when the hashers and the writer want one.
     */
    static final class ToHashList extends java.util.AbstractList<ToHash> implements java.util.RandomAccess {
        private byte[] text = new byte[4096];
        private int used;
        private int[] start = new int[64];
        private long[] sizes = new long[64];
        private long[] times = new long[64];
        private int n;

        @Override
        public boolean add(ToHash t) {
            byte[] b = t.path().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (used + b.length > text.length) {
                text = java.util.Arrays.copyOf(text, Math.max(text.length + (text.length >> 1), used + b.length));
            }
            if (n + 1 >= start.length) {
                int cap = start.length + (start.length >> 1);
                start = java.util.Arrays.copyOf(start, cap);
                sizes = java.util.Arrays.copyOf(sizes, cap);
                times = java.util.Arrays.copyOf(times, cap);
            }
            System.arraycopy(b, 0, text, used, b.length);
            start[n] = used;
            sizes[n] = t.size();
            times[n] = t.modified();
            used += b.length;
            n++;
            start[n] = used;
            modCount++;
            return true;
        }

        @Override
        public ToHash get(int i) {
            java.util.Objects.checkIndex(i, n);
            return new ToHash(new String(text, start[i], start[i + 1] - start[i], java.nio.charset.StandardCharsets.UTF_8),
                    sizes[i], times[i]);
        }

        @Override
        public int size() {
            return n;
        }

        /** The files' sizes added up. */
        long bytes() {
            long b = 0;
            for (int i = 0; i < n; i++) {
                b += sizes[i];
            }
            return b;
        }
    }

    /** The threads that compute content ids: reading files is I/O with a little SHA-256, two per core at most. */
    private static final ExecutorService HASHERS = Executors.newFixedThreadPool(
            Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors())), r -> {
                Thread t = new Thread(r, "content-id");
                t.setDaemon(true);
                return t;
            });

    /**
     * Indexes {@code top} (a folder inside a location, for the watcher): the walk, then the content ids of
     * what changed, both before returning. {@code onDir} sees every folder walked.
     */
    public static Stats scan(Database db, long locationId, Path top, JobContext ctx, Consumer<Path> onDir)
            throws IOException, SQLException {
        Walk w = walk(db, locationId, top, ctx, onDir);
        long hashed = identify(db, w.toHash, ctx);
        return w.stats(hashed);
    }

    /**
     * Indexes a whole location as a job, in phases that each announce themselves in the job's message:
     * <ol>
     * <li>"metadata": the walk, writing rows in large transactions (content ids of unchanged files kept); on a
     * first scan as a bulk load without secondary indexes or trigram triggers;</li>
     * <li>"search index" (bulk loads only): secondary indexes created in one go (names are searchable already,
     * through the in-memory name table);</li>
     * <li>"content ids": new and changed files read on a small thread pool, ids written in batches.</li>
     * </ol>
     * The index is searchable when phase 1 ends. A crash in phase 3 leaves rows without a content id; the next
     * scan (the daemon rescans at start) computes them, since a missing id never counts as unchanged.
     */
    public static Stats scanLocation(Library lib, long locationId, Path root, JobContext ctx, Consumer<Path> onDir)
            throws IOException, SQLException {
        boolean bulk = !lib.db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM entries WHERE location_id = ? LIMIT 1")) {
                ps.setLong(1, locationId);
                return ps.executeQuery().next();
            }
        });
        Walk w;
        ctx.phase("metadata: walking " + root + (bulk ? " (first scan: bulk load)" : ""), 0, 0);
        if (bulk) {
            lib.beginBulk();
            boolean ended = false;
            try {
                w = walk(lib.db, locationId, root, ctx, onDir);
                // measured on 2 cores: hashing beside the index build slowed the build (the search becomes fast
                // later) without shortening the whole job, so the phases run one after the other
                ctx.phase("search index: building indexes over " + w.entries + " entries", 0, 0);
                ended = true;
                lib.endBulk();
            } finally {
                if (!ended) {
                    try {
                        lib.endBulk();
                    } catch (RuntimeException e) {
                        log.warn("cannot rebuild the search index of library {} now ({}); it is rebuilt at next start",
                                lib.id, e.toString());
                    }
                }
            }
        } else {
            w = walk(lib.db, locationId, root, ctx, onDir);
        }
        long bytes = w.toHash.bytes();
        ctx.phase("content ids: " + w.toHash.size() + " new or changed files", w.toHash.size(), bytes);
        long hashed = identify(lib.db, w.toHash, ctx);
        return w.stats(hashed);
    }

    /** What a walk found and wrote. */
    static final class Walk {
        long entries, unreadable, bytes, removed;
        final List<String> changed = new ArrayList<>();
        final ToHashList toHash = new ToHashList();

        Stats stats(long hashed) {
            return new Stats(entries, hashed, unreadable, bytes, removed, changed);
        }
    }

    /**
     * Phase 1: walks {@code top} and writes what changed, {@link #BULK_BATCH} rows per transaction. Three threads
     * share the work (profiled on a rescan with nothing changed: the walk's system calls, reading the old rows
     * and comparing each entry with its row took about a third each): a walker thread lists folders and reads
     * attributes ({@link Walker}), a reader reads the rows already indexed below {@code top}, and the calling
     * thread compares the two and prepares the rows to write, while the database writer commits the previous
     * batch (at most one in flight).
     */
    static Walk walk(Database db, long locationId, Path top, JobContext ctx, Consumer<Path> onDir)
            throws IOException, SQLException {
        CompletableFuture<Map<String, Seen>> oldRows = new CompletableFuture<>();
        Thread.ofVirtual().name("index-old-rows").start(() -> {
            try {
                oldRows.complete(db.read(c -> seen(c, locationId, FileNames.of(top))));
            } catch (Throwable e) {
                oldRows.completeExceptionally(e);
            }
        });
        Walk w = new Walk();
        List<Row>[] batch = new List[]{new ArrayList<Row>(BULK_BATCH)};
        CompletableFuture<?>[] inFlight = new CompletableFuture<?>[1];
        Walker walker = new Walker(top, onDir);
        Map<String, Seen> old;
        try {
            try {
                old = oldRows.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException("cannot read the index: " + e.getCause(), e.getCause());
            }
            for (List<Visit> chunk; (chunk = walker.next()) != null; ) {
                if (ctx != null) {
                    ctx.checkpoint();
                }
                long bytes = 0;
                for (Visit v : chunk) {
                    if (v.unreadableDir) {
                        w.unreadable++;
                    } else if (v.failed != null) {
                        failed(v.path, v.failed, old, w, batch[0]);
                    } else {
                        bytes += compare(v.path, v.attrs, old, w, batch[0]);
                    }
                    if (batch[0].size() >= BULK_BATCH) {
                        awaitWrite(inFlight[0]);
                        List<Row> rows = batch[0];
                        inFlight[0] = db.writeAsync(c -> {
                            writeRows(c, NameIndex.of(db), locationId, rows, List.of());
                            return null;
                        });
                        batch[0] = new ArrayList<>(BULK_BATCH);
                    }
                }
                if (ctx != null) {
                    ctx.advance(chunk.size(), bytes);
                }
            }
        } finally {
            walker.stop();
            awaitWrite(inFlight[0]); // never leave a write running behind a failed or cancelled walk
        }
        List<String> gone = new ArrayList<>(old.keySet());
        write(db, locationId, batch[0], gone);
        w.removed = gone.size();
        for (Iterator<String> it = gone.iterator(); it.hasNext() && w.changed.size() < 100; ) {
            w.changed.add(it.next());
        }
        return w;
    }

    /**
     * An entry against its old row: unchanged (size, modified time, inode) means nothing to write, and no Row is
     * built for it; new or changed rows go to {@code batch}, their content ids computed in phase 3. Returns the
     * bytes of a regular file, else 0.
     */
    private static long compare(Path p, BasicFileAttributes a, Map<String, Seen> old, Walk w, List<Row> batch) {
        String key = FileNames.of(p);
        Seen o = old.remove(key);
        boolean file = a.isRegularFile();
        long size = a.isDirectory() ? 0 : a.size();
        long modified = a.lastModifiedTime().toMillis();
        w.entries++;
        w.bytes += size;
        if (o != null && o.size == size && o.modified == modified && o.inode == inode(p, a)) {
            if (file && !o.identified) {
                w.toHash.add(new ToHash(key, size, modified)); // a scan cut short before phase 3
            }
        } else {
            Row r;
            try {
                r = row(p, a, null, null, false);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // not thrown without hashing
            }
            if (file) {
                w.toHash.add(new ToHash(key, r.size, r.modified));
            }
            batch.add(r);
            if (w.changed.size() < 100) {
                w.changed.add(key);
            }
        }
        return file ? size : 0;
    }

    /** An entry the walk could not read: what the index knew of it and below it is kept. */
    private static void failed(Path file, IOException exc, Map<String, Seen> old, Walk w, List<Row> batch) {
        w.unreadable++;
        log.debug("cannot read {}: {}", file, exc.toString());
        String base = FileNames.of(file) + "/";
        old.keySet().removeIf(k -> k.startsWith(base));
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String key = FileNames.of(file);
            if (old.remove(key) == null) { // an indexed one keeps its row (and content id) as it was
                batch.add(new Row(key, parentOf(key), nameOf(file), a.isDirectory() ? "" : Kinds.extension(nameOf(file)),
                        Kinds.of(nameOf(file), a.isDirectory()), a.isDirectory() ? 0 : a.size(),
                        a.lastModifiedTime().toMillis(), null, inode(file, a), null));
            }
            w.entries++;
        } catch (IOException ignored) {
            // not even stat-able: leave it out
        }
    }

    /** What the walker saw: an entry with its attributes, an entry it could not read, or a folder it could not list. */
    record Visit(Path path, BasicFileAttributes attrs, IOException failed, boolean unreadableDir) {
    }

    /**
     * {@code Files.walkFileTree} without following links, on a thread of its own, handing what it sees over in
     * chunks through a bounded queue (so it runs at most {@link #QUEUED} chunks ahead). {@code onDir} (the
     * watcher's registration) is called on the walker thread.
     */
    static final class Walker {
        static final int CHUNK = 1024;
        static final int QUEUED = 64;
        private static final List<Visit> END = List.of();
        private final BlockingQueue<List<Visit>> queue = new ArrayBlockingQueue<>(QUEUED);
        private final Thread thread;
        private volatile boolean stop;
        private volatile Throwable error;

        Walker(Path top, Consumer<Path> onDir) {
            FileVisitor<Path> visitor = new FileVisitor<Path>() {
                List<Visit> chunk = new ArrayList<>(CHUNK);

                void add(Visit v) throws IOException {
                    chunk.add(v);
                    if (chunk.size() >= CHUNK) {
                        put(chunk);
                        chunk = new ArrayList<>(CHUNK);
                    }
                }

                void flush() throws IOException {
                    if (!chunk.isEmpty()) {
                        put(chunk);
                        chunk = new ArrayList<>(CHUNK);
                    }
                }

                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    add(new Visit(dir, attrs, null, false));
                    if (onDir != null) {
                        onDir.accept(dir);
                    }
                    return stop ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    add(new Visit(file, attrs, null, false));
                    return stop ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (!(exc instanceof NoSuchFileException)) {
                        add(new Visit(file, null, exc, false));
                    }
                    return stop ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    if (exc != null) {
                        add(new Visit(dir, null, null, true));
                    }
                    if (dir.equals(top)) {
                        flush();
                    }
                    return stop ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }
            };
            thread = Thread.ofPlatform().daemon().name("index-walk").start(() -> {
                try {
                    Files.walkFileTree(top, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE, visitor);
                } catch (Throwable e) {
                    error = e;
                } finally {
                    try {
                        put(END);
                    } catch (IOException ignored) {
                        // stopped
                    }
                }
            });
        }

        private void put(List<Visit> chunk) throws IOException {
            try {
                while (!queue.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
                    if (stop) {
                        throw new IOException("walk stopped");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("walk interrupted", e);
            }
        }

        /** The next chunk, or null when the walk is done; rethrows what ended the walk early. */
        List<Visit> next() throws IOException {
            List<Visit> c;
            try {
                c = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
            if (c != END) {
                return c;
            }
            queue.offer(END); // later calls see the end too
            Throwable e = error;
            if (e == null) {
                return null;
            }
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("the walk failed: " + e, e);
        }

        /** Ends the walk (if still running) and waits for its thread. */
        void stop() {
            stop = true;
            queue.clear();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitWrite(CompletableFuture<?> f) throws IOException {
        if (f == null) {
            return;
        }
        try {
            f.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("cannot write the index: " + c, c);
        }
    }

    /**
     * Phase 2: computes the content ids of {@code files} on {@link #HASHERS} and stores them, a batch per
     * transaction. A file changed since the walk (other size or time) keeps no id: its next scan or watcher
     * event handles it. Unreadable files keep none either.
     */
    static long identify(Database db, List<ToHash> files, JobContext ctx) throws IOException {
        return store(db, files, submitHashes(files), ctx);
    }

    static final int HASH_CHUNK = 256;

    /** Starts computing the content ids of {@code files} on {@link #HASHERS}, {@link #HASH_CHUNK} files per task. */
    static List<Future<String[]>> submitHashes(List<ToHash> files) {
        int chunk = HASH_CHUNK;
        List<Future<String[]>> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i += chunk) {
            List<ToHash> part = files.subList(i, Math.min(files.size(), i + chunk));
            parts.add(HASHERS.submit(() -> {
                String[] ids = new String[part.size()];
                for (int k = 0; k < ids.length; k++) {
                    ToHash t = part.get(k);
                    try {
                        ids[k] = t.size == 0 ? ContentId.EMPTY : ContentId.of(FileNames.path(t.path));
                    } catch (IOException e) {
                        ids[k] = null; // unreadable or gone
                    }
                }
                return ids;
            }));
        }
        return parts;
    }

    /** Waits for the ids in order and stores them, a batch per transaction; cancels what is left on failure. */
    static long store(Database db, List<ToHash> files, List<Future<String[]>> parts, JobContext ctx) throws IOException {
        int chunk = HASH_CHUNK;
        long hashed = 0;
        List<Object[]> pending = new ArrayList<>();
        CompletableFuture<?> inFlight = null;
        try {
            for (int p = 0; p < parts.size(); p++) {
                if (ctx != null) {
                    ctx.checkpoint();
                }
                String[] ids;
                try {
                    ids = parts.get(p).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted");
                } catch (ExecutionException e) {
                    throw new IOException("cannot compute content ids: " + e.getCause(), e.getCause());
                }
                long bytes = 0;
                for (int k = 0; k < ids.length; k++) {
                    ToHash t = files.get(p * chunk + k);
                    bytes += t.size;
                    if (ids[k] != null) {
                        pending.add(new Object[]{ids[k], t.path, t.size, t.modified});
                        hashed++;
                    }
                }
                if (pending.size() >= BULK_BATCH || p == parts.size() - 1) {
                    awaitWrite(inFlight);
                    List<Object[]> rows = pending;
                    pending = new ArrayList<>();
                    inFlight = db.writeAsync(c -> {
                        try (PreparedStatement ps = c.prepareStatement(
                                "UPDATE entries SET content_id = ? WHERE path = ? AND size = ? AND modified = ?")) {
                            for (Object[] r : rows) {
                                ps.setString(1, (String) r[0]);
                                ps.setString(2, (String) r[1]);
                                ps.setLong(3, (Long) r[2]);
                                ps.setLong(4, (Long) r[3]);
                                ps.addBatch();
                            }
                            ps.executeBatch();
                        }
                        return null;
                    });
                }
                if (ctx != null) {
                    ctx.advance(ids.length, bytes);
                }
            }
        } finally {
            for (Future<String[]> f : parts) {
                f.cancel(false);
            }
            awaitWrite(inFlight);
        }
        return hashed;
    }

    static void write(Database db, long locationId, List<Row> rows, List<String> deletes) throws SQLException {
        if (rows.isEmpty() && deletes.isEmpty()) {
            return;
        }
        db.write(c -> {
            writeRows(c, NameIndex.of(db), locationId, rows, deletes);
            return null;
        });
    }

    /**
     * Upserts {@code rows} and deletes {@code deletes}, telling {@code names} (if any) which rows came and went.
     * An upsert keyed by path never changes a row's name, so only new rows matter: SQLite gives them rowids
     * above the largest before the batch, which one range read then finds.
     */
    static void writeRows(Connection c, NameIndex names, long locationId, List<Row> rows, List<String> deletes) throws SQLException {
        try {
            writeRows0(c, names, locationId, rows, deletes);
        } catch (SQLException | RuntimeException e) {
            if (names != null) {
                names.reload(); // this write is rolled back, with what it told the table
            }
            throw e;
        }
    }

    private static void writeRows0(Connection c, NameIndex names, long locationId, List<Row> rows, List<String> deletes) throws SQLException {
        if (!rows.isEmpty()) {
            long maxBefore = 0;
            if (names != null) {
                try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM entries")) {
                    rs.next();
                    maxBefore = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (Row r : rows) {
                    upsert(ps, locationId, r);
                }
                ps.executeBatch();
            }
            if (names != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT id, lname FROM entries WHERE id > ?")) {
                    ps.setLong(1, maxBefore);
                    ResultSet rs = ps.executeQuery();
                    while (rs.next()) {
                        names.added(rs.getLong(1), rs.getString(2));
                    }
                }
            }
        }
        if (!deletes.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM entries WHERE path = ? RETURNING id")) {
                for (String d : deletes) {
                    ps.setString(1, d);
                    removedRows(ps, names);
                }
            }
        }
    }
}
