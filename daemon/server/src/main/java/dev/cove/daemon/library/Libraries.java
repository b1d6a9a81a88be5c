package dev.cove.daemon.library;

import dev.cove.api.Plural;
import dev.cove.api.files.FileNames;
import dev.cove.daemon.storage.Database;
import dev.cove.api.events.LibraryChanged;
import dev.cove.api.events.LocationChanged;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.locations.LocationInfo;
import dev.cove.api.locations.LocationState;
import dev.cove.daemon.jobs.JobContext;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.server.EventHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The libraries of one daemon instance: each in {@code {root}/{id}/library.db}. Opens them all at start,
 * resumes unfinished scans, re-indexes incrementally what changed while the daemon was down, and watches
 * every online location.
 */
public final class Libraries implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Libraries.class);
    private final Path root;
    private final EventHub hub;
    private final JobManager jobs;
    private final Map<String, Library> byId = new ConcurrentHashMap<>();

    public Libraries(Path root, EventHub hub, JobManager jobs) {
        this.root = root;
        this.hub = hub;
        this.jobs = jobs;
    }

    /** Opens every library found on disk and starts an incremental scan of each online location. */
    public void open() throws IOException {
        Files.createDirectories(root);
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                Path dbFile = dir.resolve("library.db");
                if (!Files.isRegularFile(dbFile)) {
                    continue;
                }
                try {
                    Library lib = load(dir, dbFile);
                    byId.put(lib.id, lib);
                    for (LocationInfo loc : lib.locations()) {
                        startScan(lib, loc.id(), FileNames.path(loc.path()), START_UP);
                    }
                } catch (SQLException | RuntimeException e) {
                    log.error("cannot open library in {}: {}", dir, e.toString(), e);
                }
            }
        }
        log.info("{} open", Plural.of(byId.size(), "library", "libraries"));
    }

    private Library load(Path dir, Path dbFile) throws SQLException {
        Database db = Library.openDb(dbFile);
        Map<String, String> meta = db.read(c -> {
            Map<String, String> m = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM meta")) {
                ResultSet rs = ps.executeQuery();
                while (rs.next()) {
                    m.put(rs.getString(1), rs.getString(2));
                }
            }
            return m;
        });
        if ("stale".equals(meta.get("search_index"))) {
            log.info("library in {}: a bulk load was cut short; rebuilding its search indexes", dir);
            Library.rebuildSearchIndex(db);
        }
        String id = meta.getOrDefault("id", dir.getFileName().toString());
        if (!"bytes".equals(meta.get("names"))) {
            noteLossyNames(db, dir);
        }
        return new Library(id, meta.getOrDefault("name", id),
                Instant.ofEpochMilli(Long.parseLong(meta.getOrDefault("created_at", "0"))), dir, db);
    }

    /**
     * Before names were kept byte-exact, a byte that is not UTF-8 was read as U+FFFD, so names that differ only there
     * shared one row. The start-up scan replaces such rows with one per file (the walk no longer sees their paths);
     * this says so once per library, and marks the index as holding byte-exact names.
     */
    private static void noteLossyNames(Database db, Path dir) {
        long lossy = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM entries WHERE instr(path, char(65533)) > 0")) {
                ResultSet rs = ps.executeQuery();
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
        if (lossy > 0) {
            log.info("library in {}: {} entries were indexed with U+FFFD for bytes that are not UTF-8; the start-up scan "
                    + "replaces them with byte-exact entries", dir, lossy);
        }
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES ('names', 'bytes')")) {
                return ps.executeUpdate();
            }
        });
    }

    /** A library by id, or by name ignoring case. */
    public Library resolve(String ref) {
        Library l = byId.get(ref);
        if (l != null) {
            return l;
        }
        for (Library x : byId.values()) {
            if (x.name.equalsIgnoreCase(ref)) {
                return x;
            }
        }
        List<String> names = byId.values().stream().map(x -> x.name).sorted().toList();
        throw RpcException.notFound("no library \"" + ref + "\""
                + (names.isEmpty() ? "; create one with `cove library create NAME`" : "; libraries: " + String.join(", ", names)));
    }

    public List<Library> all() {
        return byId.values().stream().sorted(Comparator.comparing(l -> l.name.toLowerCase(Locale.ROOT))).toList();
    }

    public synchronized LibraryInfo create(String name) throws SQLException, IOException {
        checkFree(name, null);
        String id;
        do {
            byte[] b = new byte[6];
            ThreadLocalRandom.current().nextBytes(b);
            id = HexFormat.of().formatHex(b);
        } while (byId.containsKey(id));
        Path dir = root.resolve(id);
        Files.createDirectories(dir);
        Database db = Library.openDb(dir.resolve("library.db"));
        Instant now = Instant.now();
        String fid = id;
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO meta(key, value) VALUES (?, ?)")) {
                for (String[] kv : new String[][]{{"id", fid}, {"name", name}, {"created_at", Long.toString(now.toEpochMilli())},
                        {"schema_version", "1"}}) {
                    ps.setString(1, kv[0]);
                    ps.setString(2, kv[1]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        Library lib = new Library(id, name, now, dir, db);
        byId.put(id, lib);
        log.info("library {} \"{}\" created", id, name);
        hub.publish(new LibraryChanged(id, name, LibraryChanged.Change.CREATED, now));
        return lib.info();
    }

    private void checkFree(String name, Library except) {
        for (Library x : byId.values()) {
            if (x != except && x.name.equalsIgnoreCase(name)) {
                throw RpcException.conflict("a library named \"" + x.name + "\" already exists (id " + x.id
                        + "); pick another name");
            }
        }
    }

    public synchronized LibraryInfo rename(String ref, String name) throws SQLException {
        Library lib = resolve(ref);
        checkFree(name, lib);
        lib.db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES ('name', ?)")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return null;
        });
        lib.name = name;
        hub.publish(new LibraryChanged(lib.id, name, LibraryChanged.Change.RENAMED, Instant.now()));
        return lib.info();
    }

    public synchronized LibraryInfo delete(String ref) throws SQLException, IOException {
        Library lib = resolve(ref);
        LibraryInfo info = lib.info();
        byId.remove(lib.id);
        stopAll(lib);
        lib.db.close();
        try (Stream<Path> walk = Files.walk(lib.dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        log.info("library {} \"{}\" deleted", lib.id, lib.name);
        hub.publish(new LibraryChanged(lib.id, lib.name, LibraryChanged.Change.DELETED, Instant.now()));
        return info;
    }

    private void stopAll(Library lib) {
        for (var e : lib.runtime.entrySet()) {
            stopLocation(e.getValue());
        }
    }

    private void stopLocation(Library.LocationRuntime rt) {
        synchronized (rt) {
            if (rt.rescans != null) {
                rt.rescans.cancel(false);
                rt.rescans = null;
            }
        }
        Watcher w = rt.watcher;
        rt.watcher = null;
        if (w != null) {
            w.close();
        }
        long job = rt.jobId;
        if (job != 0) {
            try {
                JobInfo j = jobs.get(job);
                if (!j.state().isFinished()) {
                    jobs.cancel(job);
                }
            } catch (RpcException ignored) {
                // finished meanwhile
            }
        }
    }

    // ---- locations ----

    /** Checks a folder for use as a location and returns its real path. */
    public static Path checkFolder(String path) {
        Path p = FileNames.path(path);
        if (!p.isAbsolute()) {
            throw RpcException.invalidInput("location path \"" + path + "\" must be absolute");
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (NoSuchFileException e) {
            throw RpcException.notFound("folder " + path + " does not exist");
        } catch (AccessDeniedException e) {
            throw RpcException.invalidInput("permission denied: cannot reach " + path + " (check the permissions of "
                    + e.getFile() + ")");
        } catch (IOException e) {
            throw RpcException.invalidInput("cannot use " + path + ": " + e.getMessage());
        }
        if (!Files.isDirectory(real)) {
            throw RpcException.invalidInput(path + " is a file, not a folder; add the folder that contains it ("
                    + (real.getParent() == null ? "/" : real.getParent()) + ")");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(real)) {
            ds.iterator().hasNext();
        } catch (AccessDeniedException e) {
            throw RpcException.invalidInput("permission denied: the daemon cannot read folder " + path
                    + "; grant read and execute permission (chmod u+rx) or pick another folder");
        } catch (NotDirectoryException e) {
            throw RpcException.invalidInput(path + " is not a folder");
        } catch (IOException e) {
            throw RpcException.invalidInput("cannot read folder " + path + ": " + e.getMessage());
        }
        return real;
    }

    public record Added(LocationInfo location, long jobId) {
    }

    public Added addLocation(String ref, String path) throws SQLException {
        Library lib = resolve(ref);
        Path real = checkFolder(path);
        long id;
        synchronized (lib) {
            for (LocationInfo l : lib.locations()) {
                Path other = FileNames.path(l.path());
                if (other.equals(real)) {
                    throw RpcException.conflict(real + " is already location " + l.id() + " of library \"" + lib.name
                            + "\"; use `cove location rescan " + l.id() + "` to re-index it");
                }
                if (real.startsWith(other) || other.startsWith(real)) {
                    throw RpcException.conflict(real + " overlaps location " + l.id() + " (" + other + ") of library \""
                            + lib.name + "\"; remove that one first or add a folder outside it");
                }
            }
            long now = System.currentTimeMillis();
            id = lib.db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO locations(path, added_at) VALUES (?, ?)",
                        java.sql.Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, FileNames.of(real));
                    ps.setLong(2, now);
                    ps.executeUpdate();
                    ResultSet rs = ps.getGeneratedKeys();
                    rs.next();
                    return rs.getLong(1);
                }
            });
        }
        lib.rt(id).state = LocationState.INDEXING;
        hub.publish(new LocationChanged(lib.id, id, FileNames.of(real), LocationChanged.Change.ADDED, LocationState.INDEXING,
                Instant.now()));
        JobInfo job = startScan(lib, id, real, "new location");
        return new Added(lib.location(id), job.id());
    }

    public LocationInfo location(Library lib, long locationId) throws SQLException {
        LocationInfo l = lib.location(locationId);
        if (l == null) {
            throw RpcException.notFound("library \"" + lib.name + "\" has no location " + locationId
                    + "; see `cove location list`");
        }
        return l;
    }

    public LocationInfo removeLocation(String ref, long locationId) throws SQLException {
        Library lib = resolve(ref);
        LocationInfo l = location(lib, locationId);
        Library.LocationRuntime rt = lib.runtime.remove(locationId);
        if (rt != null) {
            stopLocation(rt);
        }
        lib.db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM entries WHERE location_id = ? RETURNING id")) {
                ps.setLong(1, locationId);
                Indexer.removedRows(ps, lib.names);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM locations WHERE id = ?")) {
                ps.setLong(1, locationId);
                ps.executeUpdate();
            }
            return null;
        });
        hub.publish(new LocationChanged(lib.id, locationId, l.path(), LocationChanged.Change.REMOVED, l.state(), Instant.now()));
        return l;
    }

    public JobInfo rescan(String ref, long locationId) throws SQLException {
        Library lib = resolve(ref);
        LocationInfo l = location(lib, locationId);
        if (!Files.isDirectory(FileNames.path(l.path()))) {
            setState(lib, locationId, l.path(), LocationState.OFFLINE);
            throw RpcException.notFound("folder " + l.path() + " of location " + locationId
                    + " is gone, so the location is offline; reconnect the drive or `cove location remove " + locationId + "`");
        }
        return startScan(lib, locationId, FileNames.path(l.path()), "rescan");
    }

    private void setState(Library lib, long locationId, String path, LocationState s) {
        Library.LocationRuntime rt = lib.rt(locationId);
        if (rt.state != s) {
            rt.state = s;
            hub.publish(new LocationChanged(lib.id, locationId, path, LocationChanged.Change.STATE, s, Instant.now()));
        }
    }

    /** Starts (or returns the running) scan job of a location. */
    private synchronized JobInfo startScan(Library lib, long locationId, Path path, String why) {
        Library.LocationRuntime rt = lib.rt(locationId);
        if (rt.jobId != 0) {
            try {
                JobInfo j = jobs.get(rt.jobId);
                if (!j.state().isFinished()) {
                    return j;
                }
            } catch (RpcException e) {
                // a start-up rescan that changed nothing leaves no record
            }
        }
        boolean startUp = why.equals(START_UP);
        JobInfo job = jobs.submit(JobKind.INDEX, "index " + path + " (" + why + ")", lib.id,
                ctx -> index(lib, locationId, path, ctx, startUp));
        rt.jobId = job.id();
        return job;
    }

    /**
     * Why the daemon rescans every location as it starts. Such a rescan that finds nothing changed is not listed in
     * the jobs (only in the log): each daemon start added one "(start-up)" job per location to `cove jobs list`,
     * burying the jobs a person started. One that changes the index, fails or is cancelled is listed as any job.
     */
    static final String START_UP = "start-up";

    private String index(Library lib, long locationId, Path path, JobContext ctx, boolean startUp) throws Exception {
        if (!Files.isDirectory(path)) {
            setState(lib, locationId, FileNames.of(path), LocationState.OFFLINE);
            saveScan(lib, locationId, false, 0, "folder " + path + " is gone (offline)");
            return "location offline: " + path + " is gone; its index is kept";
        }
        setState(lib, locationId, FileNames.of(path), LocationState.INDEXING);
        saveScan(lib, locationId, false, -1, null);
        Watcher w = ensureWatcher(lib, locationId, path);
        if (w != null) {
            w.beginFullScan();
        }
        Indexer.Stats s;
        try {
            s = Indexer.scanLocation(lib, locationId, path, ctx, w == null ? null : w::register);
        } catch (Exception e) {
            setState(lib, locationId, FileNames.of(path), Files.isDirectory(path) ? LocationState.ONLINE : LocationState.OFFLINE);
            if (!(e instanceof java.util.concurrent.CancellationException)) {
                saveScan(lib, locationId, false, -1, e.getMessage());
            }
            throw e;
        }
        saveScan(lib, locationId, true, s.unreadable(), null);
        setState(lib, locationId, FileNames.of(path), LocationState.ONLINE);
        if (w != null) {
            w.reportUnwatched(RESCAN_UNWATCHED_SECONDS);
        }
        if (w == null || w.unwatchedFolders() > 0) {
            keepFreshByRescans(lib, locationId, path);
        }
        if (!s.changed().isEmpty()) {
            hub.publish(new dev.cove.api.events.FilesChanged(lib.id, locationId, 0, 0, 0, s.changed(), Instant.now()));
        } else if (startUp && s.removed() == 0 && s.hashed() == 0) {
            ctx.unlistIfCompleted();
            log.info("start-up rescan of {}: nothing changed ({}); not listed in the jobs", path,
                    Plural.of(s.entries(), "entry", "entries"));
        }
        return "indexed " + Plural.of(s.entries(), "entry", "entries") + " (" + s.hashed() + " hashed, " + s.removed() + " removed, "
                + s.unreadable() + " unreadable)";
    }

    /** How often a location that is not (or only partly) watched is rescanned: {@code -Dcove.watch.rescanSeconds}. */
    static final long RESCAN_UNWATCHED_SECONDS = Long.getLong("cove.watch.rescanSeconds", 300);
    private static final java.util.concurrent.ScheduledExecutorService RESCANS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rescan-unwatched");
                t.setDaemon(true);
                return t;
            });

    /**
     * Schedules rescans of a location whose folders are not all watched (the inotify limit), once per location:
     * each run starts a scan job unless one is running, and stops itself once everything is watched again or the
     * location is gone.
     */
    private void keepFreshByRescans(Library lib, long locationId, Path path) {
        Library.LocationRuntime rt = lib.rt(locationId);
        synchronized (rt) {
            if (rt.rescans != null) {
                return;
            }
            rt.rescans = RESCANS.scheduleWithFixedDelay(() -> {
                Watcher w = rt.watcher;
                if (lib.runtime.get(locationId) != rt || w != null && w.isRunning() && w.unwatchedFolders() == 0) {
                    synchronized (rt) {
                        if (rt.rescans != null) {
                            rt.rescans.cancel(false);
                            rt.rescans = null;
                        }
                    }
                    return;
                }
                try {
                    startScan(lib, locationId, path, "periodic rescan: "
                            + (w == null ? "not watched" : Plural.of(w.unwatchedFolders(), "folder") + " unwatched"));
                } catch (RuntimeException e) {
                    log.debug("periodic rescan of {} not started: {}", path, e.toString());
                }
            }, RESCAN_UNWATCHED_SECONDS, RESCAN_UNWATCHED_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private Watcher ensureWatcher(Library lib, long locationId, Path path) {
        Library.LocationRuntime rt = lib.rt(locationId);
        synchronized (rt) {
            if (rt.watcher != null && rt.watcher.isRunning()) {
                return rt.watcher;
            }
            try {
                rt.watcher = new Watcher(lib.id, locationId, path, lib.db, hub, new Watcher.Listener() {
                    @Override
                    public void rootGone() {
                        log.warn("location {} ({}) went offline: its folder is gone", locationId, path);
                        setState(lib, locationId, FileNames.of(path), LocationState.OFFLINE);
                    }

                    @Override
                    public void overflow() {
                        log.info("watcher of {} lost events; rescanning", path);
                        startScan(lib, locationId, path, "watcher overflow");
                    }
                });
                return rt.watcher;
            } catch (IOException e) {
                log.warn("cannot watch {}: {}; the index is refreshed only by rescans", path, e.toString());
                return null;
            }
        }
    }

    private void saveScan(Library lib, long locationId, boolean complete, long unreadable, String error) throws SQLException {
        lib.db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE locations SET scan_complete = ?, last_error = ?, "
                    + "unreadable = CASE WHEN ? < 0 THEN unreadable ELSE ? END, "
                    + "last_scan_at = CASE WHEN ? THEN ? ELSE last_scan_at END WHERE id = ?")) {
                ps.setInt(1, complete ? 1 : 0);
                ps.setString(2, error);
                ps.setLong(3, unreadable);
                ps.setLong(4, unreadable);
                ps.setBoolean(5, complete);
                ps.setLong(6, System.currentTimeMillis());
                ps.setLong(7, locationId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Locations of every library that contain {@code path}, as (library, location id). */
    public List<Map.Entry<Library, Long>> locationsContaining(Path path) {
        List<Map.Entry<Library, Long>> out = new ArrayList<>();
        for (Library lib : byId.values()) {
            try {
                for (LocationInfo l : lib.locations()) {
                    if (path.startsWith(FileNames.path(l.path()))) {
                        out.add(Map.entry(lib, l.id()));
                    }
                }
            } catch (SQLException ignored) {
                // closed meanwhile
            }
        }
        return out;
    }

    /** Stops watchers and closes databases. Stop the job manager first, so scans end as interrupted. */
    @Override
    public void close() {
        for (Library lib : byId.values()) {
            for (Library.LocationRuntime rt : lib.runtime.values()) {
                Watcher w = rt.watcher;
                rt.watcher = null;
                if (w != null) {
                    w.close();
                }
            }
        }
        for (Library lib : byId.values()) {
            lib.db.close();
        }
        byId.clear();
    }
}
