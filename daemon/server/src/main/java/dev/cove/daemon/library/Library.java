package dev.cove.daemon.library;

import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileKind;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.locations.LocationInfo;
import dev.cove.api.locations.LocationState;

import dev.cove.daemon.storage.Database;
import dev.cove.daemon.storage.Migration;
import org.sqlite.Function;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One open library: its database and the live state of its locations (indexing, offline, watched). */
public final class Library {
    static final String FTS_TABLE = "CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(lname, content='entries', "
            + "content_rowid='id', tokenize='trigram case_sensitive 1', detail=none, columnsize=0)";
    static final String TRIGGER_AI = "CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN "
            + "INSERT INTO entries_fts(rowid, lname) VALUES (new.id, new.lname); END";
    static final String TRIGGER_AD = "CREATE TRIGGER IF NOT EXISTS entries_ad AFTER DELETE ON entries BEGIN "
            + "INSERT INTO entries_fts(entries_fts, rowid, lname) VALUES ('delete', old.id, old.lname); END";
    static final String TRIGGER_AU = "CREATE TRIGGER IF NOT EXISTS entries_au AFTER UPDATE OF lname ON entries BEGIN "
            + "INSERT INTO entries_fts(entries_fts, rowid, lname) VALUES ('delete', old.id, old.lname); "
            + "INSERT INTO entries_fts(rowid, lname) VALUES (new.id, new.lname); END";
    /** Secondary indexes: dropped during a bulk load, created again (from sorted data, much faster) after it. */
    static final List<String> SECONDARY_INDEXES = List.of(
            "CREATE INDEX IF NOT EXISTS entries_location ON entries(location_id)",
            "CREATE INDEX IF NOT EXISTS entries_parent ON entries(parent)",
            "CREATE INDEX IF NOT EXISTS entries_lname ON entries(lname, id)",
            "CREATE INDEX IF NOT EXISTS entries_ext ON entries(ext)",
            "CREATE INDEX IF NOT EXISTS entries_size ON entries(size)",
            "CREATE INDEX IF NOT EXISTS entries_modified ON entries(modified)",
            "CREATE INDEX IF NOT EXISTS entries_content ON entries(content_id) WHERE content_id IS NOT NULL");
    /** Schema history of library.db; version 1 is what the first release created (IF NOT EXISTS: files made before migrations existed open as version 0). */
    static final List<Migration> MIGRATIONS = List.of(
            Migration.of(1, "locations, entries, trigram name index",
                    """
                    CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
                    """,
                    """
                    CREATE TABLE IF NOT EXISTS locations(
                                  id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL UNIQUE, added_at INTEGER NOT NULL,
                                  last_scan_at INTEGER, scan_complete INTEGER NOT NULL DEFAULT 0, unreadable INTEGER NOT NULL DEFAULT 0,
                                  last_error TEXT)
                    """,
                    """
                    CREATE TABLE IF NOT EXISTS entries(
                                  id INTEGER PRIMARY KEY, location_id INTEGER NOT NULL, path TEXT NOT NULL UNIQUE, parent TEXT NOT NULL,
                                  name TEXT NOT NULL, lname TEXT NOT NULL, ext TEXT NOT NULL, kind TEXT NOT NULL, size INTEGER NOT NULL,
                                  modified INTEGER NOT NULL, created INTEGER, inode INTEGER NOT NULL, content_id TEXT)
                    """,
                    """
                    CREATE INDEX IF NOT EXISTS entries_location ON entries(location_id)
                    """,
                    """
                    CREATE INDEX IF NOT EXISTS entries_parent ON entries(parent)
                    """,
                    """
                    CREATE INDEX IF NOT EXISTS entries_lname ON entries(lname, id)
                    """,
                    """
                    CREATE INDEX IF NOT EXISTS entries_ext ON entries(ext)
                    """,
                    """
                    CREATE INDEX IF NOT EXISTS entries_size ON entries(size)
                    """,
                    """
                    CREATE INDEX IF NOT EXISTS entries_modified ON entries(modified)
                    """,
                    """
                    CREATE INDEX IF NOT EXISTS entries_content ON entries(content_id) WHERE content_id IS NOT NULL
                    """,
                    """
                    CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(lname, content='entries', content_rowid='id',
                                  tokenize='trigram case_sensitive 1')
                    """,
                    """
                    CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN
                                  INSERT INTO entries_fts(rowid, lname) VALUES (new.id, new.lname); END
                    """,
                    """
                    CREATE TRIGGER IF NOT EXISTS entries_ad AFTER DELETE ON entries BEGIN
                                  INSERT INTO entries_fts(entries_fts, rowid, lname) VALUES ('delete', old.id, old.lname); END
                    """,
                    """
                    CREATE TRIGGER IF NOT EXISTS entries_au AFTER UPDATE OF lname ON entries BEGIN
                                  INSERT INTO entries_fts(entries_fts, rowid, lname) VALUES ('delete', old.id, old.lname); INSERT INTO entries_fts(rowid, lname) VALUES (new.id, new.lname); END
                    """),
            // detail=none keeps only which rows hold a trigram, not where: about 6x cheaper to build than
            // detail=full. Phrases are then unsupported, so Search asks for trigrams joined by AND and checks
            // the exact substring with instr(), as it did already.
            new Migration(2, "lighter trigram index (detail=none)", List.of(
                    "DROP TRIGGER IF EXISTS entries_ai", "DROP TRIGGER IF EXISTS entries_ad", "DROP TRIGGER IF EXISTS entries_au",
                    "DROP TABLE IF EXISTS entries_fts",
                    FTS_TABLE, TRIGGER_AI, TRIGGER_AD, TRIGGER_AU,
                    "INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")),
            // The in-memory NameIndex now answers substring searches (and narrows the others), so the trigram
            // index is dropped: building it was most of a first scan's time after the walk, keeping it in step
            // slowed every insert, and it took more disk than the rows (issue 13).
            new Migration(3, "no trigram index: names are searched in memory", List.of(
                    "DROP TRIGGER IF EXISTS entries_ai", "DROP TRIGGER IF EXISTS entries_ad", "DROP TRIGGER IF EXISTS entries_au",
                    "DROP TABLE IF EXISTS entries_fts")));

    static final String ENTRY_COLUMNS = "id, location_id, path, name, ext, kind, size, modified, created, inode, content_id";

    final String id;
    volatile String name;
    final Instant createdAt;
    final Path dir;
    final Database db;
    /** Names in name order with trigram postings, beside SQLite: what plain substring searches use. */
    final NameIndex names;
    /** False while a bulk load runs: the secondary indexes are missing (searches are slower, not wrong). */
    volatile boolean searchIndexReady = true;
    private int bulkLoads; // guarded by this
    /** Live state per location id, kept beside the stored rows. */
    final Map<Long, LocationRuntime> runtime = new ConcurrentHashMap<>();

    Library(String id, String name, Instant createdAt, Path dir, Database db) {
        this.id = id;
        this.name = name;
        this.createdAt = createdAt;
        this.dir = dir;
        this.db = db;
        this.names = NameIndex.open(db, id);
    }

    /**
     * Opens (creating and migrating) a library database. Durability NORMAL: a commit survives the daemon being
     * killed, and what a power loss might take from the last second is rebuilt by the next scan, which compares
     * the index with the disk anyway. Four readers so searches run beside indexing.
     */
    static Database openDb(Path file) {
        return Database.open(file, MIGRATIONS, new Database.Options(Database.Durability.NORMAL, 4, 512, c -> {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("PRAGMA temp_store=MEMORY");
                // Page caches are per connection and filled lazily. The writer keeps 8 MB (bulk inserts into the
                // path index, index builds: against 16 MB, no measurable difference on 200,000 files); readers 4 MB each: a page of
                // search results reads ~100 random rows, which a larger cache hardly helps, and five 32 MB caches
                // were a large share of the daemon's resident memory (benchmarks.md, "Files at scale").
                boolean reader = Database.isReader(c);
                st.execute("PRAGMA cache_size=" + (reader ? -4000 : -8000));
            }
            Function.create(c, "cove_match", new Function() {
                @Override
                protected void xFunc() throws SQLException {
                    String pattern = value_text(0);
                    String value = value_text(1);
                    result(pattern != null && value != null && Glob.compile(pattern).matcher(value).matches() ? 1 : 0);
                }
            }, 2, Function.FLAG_DETERMINISTIC);
        }));
    }

    /**
     * Starts a bulk load (a location's first scan): drops the secondary indexes (and the trigram triggers of
     * schema version 2, should they exist), and records in {@code meta} that they are missing, so that a crash before
     * {@link #endBulk} is repaired at the next open. Nested loads share one drop and one rebuild.
     */
    synchronized void beginBulk() {
        if (bulkLoads++ > 0) {
            return;
        }
        searchIndexReady = false;
        names.beginBulk();
        db.exclusive(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('search_index', 'stale')");
                for (String t : List.of("entries_ai", "entries_ad", "entries_au")) {
                    st.execute("DROP TRIGGER IF EXISTS " + t);
                }
                for (String idx : SECONDARY_INDEXES) {
                    st.execute("DROP INDEX IF EXISTS " + idx.split(" ")[5]);
                }
            }
            return null;
        });
    }

    /** Ends a bulk load: the last one merges the name table's delta and creates the indexes again. */
    synchronized void endBulk() {
        if (--bulkLoads > 0) {
            return;
        }
        names.endBulk(); // one merge of the bulk load's delta: searches are fastest on one snapshot
        rebuildSearchIndex(db);
        searchIndexReady = true;
    }

    /** Creates the missing secondary indexes, in one transaction. */
    static void rebuildSearchIndex(Database db) {
        db.exclusive(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                for (String idx : SECONDARY_INDEXES) {
                    st.execute(idx);
                }
                st.execute("DELETE FROM meta WHERE key = 'search_index'");
            }
            return null;
        });
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Database db() {
        return db;
    }

    /** Per-location state that only lives while the daemon runs. */
    static final class LocationRuntime {
        volatile LocationState state = LocationState.ONLINE;
        volatile Watcher watcher;
        /** Periodic rescans while some folders cannot be watched; null when all are. Guarded by this. */
        java.util.concurrent.ScheduledFuture<?> rescans;
        volatile long jobId;
    }

    LocationRuntime rt(long locationId) {
        return runtime.computeIfAbsent(locationId, k -> new LocationRuntime());
    }

    public LibraryInfo info() throws SQLException {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT (SELECT count(*) FROM locations), (SELECT count(*) FROM entries), "
                            + "(SELECT coalesce(sum(size),0) FROM entries WHERE kind <> 'folder')")) {
                ResultSet rs = ps.executeQuery();
                rs.next();
                return new LibraryInfo(id, name, createdAt, rs.getInt(1), rs.getLong(2), rs.getLong(3),
                        db.file().toString());
            }
        });
    }

    public List<LocationInfo> locations() throws SQLException {
        return db.read(c -> locations(c, null));
    }

    public LocationInfo location(long locationId) throws SQLException {
        List<LocationInfo> l = db.read(c -> locations(c, locationId));
        return l.isEmpty() ? null : l.get(0);
    }

    private List<LocationInfo> locations(Connection c, Long only) throws SQLException {
        List<LocationInfo> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT l.id, l.path, l.added_at, l.last_scan_at, l.unreadable, "
                + "l.last_error, (SELECT count(*) FROM entries e WHERE e.location_id = l.id), "
                + "(SELECT coalesce(sum(size),0) FROM entries e WHERE e.location_id = l.id AND kind <> 'folder'), "
                + "l.scan_complete FROM locations l" + (only == null ? "" : " WHERE l.id = " + only) + " ORDER BY l.id")) {
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                long lid = rs.getLong(1);
                long scan = rs.getLong(4);
                Instant lastScan = rs.wasNull() ? null : Instant.ofEpochMilli(scan);
                LocationRuntime r = rt(lid);
                out.add(new LocationInfo(lid, id, rs.getString(2), r.state, rs.getLong(7), rs.getLong(8),
                        rs.getLong(5), Instant.ofEpochMilli(rs.getLong(3)), lastScan, rs.getString(6),
                        r.watcher != null && r.watcher.isRunning(),
                        r.watcher != null && r.watcher.isRunning() ? r.watcher.unwatchedFolders() : 0,
                        rs.getInt(9) == 0 && r.state != LocationState.INDEXING));
            }
        }
        return out;
    }

    static FileEntry entry(ResultSet rs) throws SQLException {
        long created = rs.getLong(9);
        Instant cr = rs.wasNull() ? null : Instant.ofEpochMilli(created);
        return new FileEntry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                FileKind.valueOf(rs.getString(6).toUpperCase(java.util.Locale.ROOT)), rs.getLong(7),
                Instant.ofEpochMilli(rs.getLong(8)), cr, rs.getLong(10), rs.getString(11));
    }
}
