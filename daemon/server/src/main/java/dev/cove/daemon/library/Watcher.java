package dev.cove.daemon.library;

import dev.cove.api.files.FileNames;
import dev.cove.daemon.storage.Database;
import dev.cove.api.events.FilesChanged;
import dev.cove.rpc.server.EventHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps one location's index fresh while the daemon runs: a {@link WatchService} on every folder, events
 * gathered for a short moment and applied by looking at the disk again (so a rename, seen as delete + create,
 * and bursts of modifications come out right whatever their order). New folders are registered and indexed.
 */
final class Watcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watcher.class);
    private static final long SETTLE_MS = 50;

    interface Listener {
        /** The location's root folder disappeared. */
        void rootGone();

        /** Events were lost (kernel queue overflow): the location needs a rescan. */
        void overflow();
    }

    private final String libraryId;
    private final long locationId;
    private final Path root;
    private final Database db;
    private final EventHub hub;
    private final Listener listener;
    private final WatchService ws;
    private final Map<WatchKey, Path> dirs = new ConcurrentHashMap<>();
    private final Set<Path> watched = ConcurrentHashMap.newKeySet();
    /** The key and file key (device, inode) each watched folder was registered with. */
    private final Map<Path, WatchKey> keyOf = new ConcurrentHashMap<>();
    private final Map<Path, Object> fileKeyOf = new ConcurrentHashMap<>();
    /** Folders the kernel (or {@link #CAP}) would not let us watch: kept fresh by periodic rescans instead. */
    private final Set<Path> unwatched = ConcurrentHashMap.newKeySet();
    /** Folders watched by all watchers of this daemon (inotify's limit is per user, over all of them). */
    static final AtomicInteger IN_USE = new AtomicInteger();
    /**
     * A ceiling on folders watched, below the kernel's {@code fs.inotify.max_user_watches}: for tests of what
     * happens at the limit (a daemon option, {@code -Dcove.watch.maxFolders=N}); unlimited by default.
     */
    static final int CAP = Integer.getInteger("cove.watch.maxFolders", Integer.MAX_VALUE);
    private final Thread thread;
    private volatile boolean running = true;

    Watcher(String libraryId, long locationId, Path root, Database db, EventHub hub, Listener listener) throws IOException {
        this.libraryId = libraryId;
        this.locationId = locationId;
        this.root = root;
        this.db = db;
        this.hub = hub;
        this.listener = listener;
        this.ws = root.getFileSystem().newWatchService();
        this.thread = new Thread(this::loop, "watch-" + libraryId + "-" + locationId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    boolean isRunning() {
        return running;
    }

    void register(Path dir) {
        if (!running) {
            return;
        }
        if (!watched.contains(dir) && IN_USE.get() >= CAP) {
            unwatched.add(dir);
            return;
        }
        try {
            // Every scan offers every folder. One already watched, by a valid key on the same folder (file key:
            // device and inode; a live inotify watch pins its inode, so the number cannot have been reused), is
            // left as it is: registering it again is a round trip to the JDK's watch thread and cost a rescan
            // with nothing changed more than the walk itself (JFR profile in benchmarks.md).
            Object fileKey = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            WatchKey had = keyOf.get(dir);
            if (had != null && had.isValid() && fileKey != null && fileKey.equals(fileKeyOf.get(dir))) {
                return;
            }
            WatchKey k = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            if (dirs.put(k, dir) == null) {
                IN_USE.incrementAndGet();
            }
            keyOf.put(dir, k);
            if (fileKey != null) {
                fileKeyOf.put(dir, fileKey);
            } else {
                fileKeyOf.remove(dir);
            }
            watched.add(dir);
            unwatched.remove(dir);
        } catch (NoSuchFileException ignored) {
            // gone already; its delete event covers it
        } catch (IOException | ClosedWatchServiceException e) {
            if (atLimit(e)) {
                unwatched.add(dir); // reported once per scan by reportUnwatched, not once per folder
            } else {
                log.warn("cannot watch {}: {} (changes there show up at the next rescan)", dir, e.toString());
            }
        }
    }

    /** The JDK's message for inotify_add_watch failing with ENOSPC: fs.inotify.max_user_watches reached. */
    static boolean atLimit(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("inotify watches") || m.contains("No space left on device");
    }

    /** A scan of the whole location starts: it offers every folder again, so the unwatched ones are counted afresh. */
    void beginFullScan() {
        unwatched.clear();
    }

    /** Folders of this location that are not watched (the watch limit was reached), as of the last scan. */
    long unwatchedFolders() {
        return unwatched.size();
    }

    /** Folders of this location that are watched. */
    long watchedFolders() {
        return watched.size();
    }

    /** The kernel's per-user watch limit, or -1 where there is none to read. */
    static long maxUserWatches() {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/sys/fs/inotify/max_user_watches")).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * After a scan: if folders went unwatched, says so in the log with the sysctl to raise and by how much
     * (a WARN each time the count changes, so a daemon log does not fill with it at every periodic rescan).
     */
    void reportUnwatched(long rescanSeconds) {
        long n = unwatched.size();
        if (n == reported) {
            return;
        }
        reported = n;
        if (n == 0) {
            log.info("location {} ({}): every folder is watched again", locationId, root);
            return;
        }
        long max = maxUserWatches();
        long want = max < 0 ? -1 : roundUp(max + n);
        log.warn("location {} ({}) is partly watched: {} of {} folders are not watched, as the inotify watch limit is "
                        + "reached ({}{}); raise fs.inotify.max_user_watches by at least {}{}. Until then Cove rescans this "
                        + "location every {} s to keep the unwatched part fresh",
                locationId, root, n, n + watched.size(),
                max < 0 ? "fs.inotify.max_user_watches" : "fs.inotify.max_user_watches = " + max,
                CAP == Integer.MAX_VALUE ? "" : ", and this daemon caps watches at " + CAP + " (-Dcove.watch.maxFolders)",
                n, want < 0 ? "" : ": sudo sysctl fs.inotify.max_user_watches=" + want
                        + " (and the same line in /etc/sysctl.d/90-cove-inotify.conf to keep it)", rescanSeconds);
    }

    private volatile long reported;

    /** {@code n} rounded up to a round figure (a multiple of 65,536), as people set this sysctl. */
    static long roundUp(long n) {
        return (n + 65_535) / 65_536 * 65_536;
    }

    private void loop() {
        try {
            while (running) {
                WatchKey key = ws.poll(500, TimeUnit.MILLISECONDS);
                if (key == null) {
                    continue;
                }
                Set<Path> touched = new LinkedHashSet<>();
                boolean overflow = false;
                long until = System.nanoTime() + SETTLE_MS * 1_000_000;
                while (key != null) {
                    Path dir = dirs.get(key);
                    for (WatchEvent<?> ev : key.pollEvents()) {
                        if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                            overflow = true;
                        } else if (dir != null) {
                            touched.add(dir.resolve((Path) ev.context()));
                        }
                    }
                    if (!key.reset()) {
                        if (dirs.remove(key) != null) {
                            IN_USE.decrementAndGet();
                        }
                        if (dir != null) {
                            watched.remove(dir);
                            keyOf.remove(dir, key);
                        }
                        if (root.equals(dir)) {
                            touched.add(root);
                        }
                    }
                    long left = until - System.nanoTime();
                    key = left > 0 ? ws.poll(left, TimeUnit.NANOSECONDS) : ws.poll();
                }
                if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                    running = false;
                    listener.rootGone();
                    break;
                }
                if (overflow) {
                    listener.overflow();
                }
                if (!touched.isEmpty()) {
                    apply(touched);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("watcher of {} stopped: {}", root, e.toString(), e);
        } finally {
            running = false;
        }
    }

    private void apply(Set<Path> touched) {
        int added = 0;
        int modified = 0;
        int removed = 0;
        List<String> paths = new ArrayList<>();
        for (Path p : touched) {
            if (!p.startsWith(root)) {
                continue;
            }
            try {
                boolean known = exists(FileNames.of(p));
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    a = null;
                }
                if (a == null) {
                    int n = db.write(c -> Indexer.deleteTree(c, NameIndex.of(db), FileNames.of(p)));
                    if (n > 0) {
                        removed += n;
                        paths.add(FileNames.of(p));
                    }
                    continue;
                }
                if (a.isDirectory() && !known) {
                    Indexer.Stats s = Indexer.scan(db, locationId, p, null, this::register);
                    added += (int) s.entries();
                } else {
                    Indexer.Row r = Indexer.row(p, a, old(FileNames.of(p)), null);
                    Indexer.write(db, locationId, List.of(r), List.of());
                    if (known) {
                        modified++;
                    } else {
                        added++;
                    }
                }
                paths.add(FileNames.of(p));
            } catch (IOException | SQLException | RuntimeException e) {
                log.debug("cannot update the index for {}: {}", p, e.toString());
            }
        }
        if (added + modified + removed > 0) {
            hub.publish(new FilesChanged(libraryId, locationId, added, modified, removed,
                    List.copyOf(paths.subList(0, Math.min(100, paths.size()))), Instant.now()));
        }
    }

    private boolean exists(String path) throws SQLException {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM entries WHERE path = ?")) {
                ps.setString(1, path);
                return ps.executeQuery().next();
            }
        });
    }

    private Indexer.Old old(String path) throws SQLException {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT size, modified, inode, content_id FROM entries WHERE path = ?")) {
                ps.setString(1, path);
                ResultSet rs = ps.executeQuery();
                return rs.next() ? new Indexer.Old(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4)) : null;
            }
        });
    }

    @Override
    public void close() {
        running = false;
        for (WatchKey k : dirs.keySet()) {
            if (dirs.remove(k) != null) {
                IN_USE.decrementAndGet();
            }
        }
        try {
            ws.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
