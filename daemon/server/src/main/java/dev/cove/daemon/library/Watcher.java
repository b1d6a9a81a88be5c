package dev.cove.daemon.library;

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
        try {
            WatchKey k = dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            dirs.put(k, dir);
        } catch (NoSuchFileException ignored) {
            // gone already; its delete event covers it
        } catch (IOException | ClosedWatchServiceException e) {
            log.warn("cannot watch {}: {} (changes there show up at the next rescan)", dir, e.toString());
        }
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
                        dirs.remove(key);
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
                boolean known = exists(p.toString());
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    a = null;
                }
                if (a == null) {
                    int n = db.write(c -> Indexer.deleteTree(c, NameIndex.of(db), p.toString()));
                    if (n > 0) {
                        removed += n;
                        paths.add(p.toString());
                    }
                    continue;
                }
                if (a.isDirectory() && !known) {
                    Indexer.Stats s = Indexer.scan(db, locationId, p, null, this::register);
                    added += (int) s.entries();
                } else {
                    Indexer.Row r = Indexer.row(p, a, old(p.toString()), null);
                    Indexer.write(db, locationId, List.of(r), List.of());
                    if (known) {
                        modified++;
                    } else {
                        added++;
                    }
                }
                paths.add(p.toString());
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
