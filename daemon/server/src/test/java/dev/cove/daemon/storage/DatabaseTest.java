package dev.cove.daemon.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseTest {
    private static final List<Migration> V1 = List.of(Migration.of(1, "items", "CREATE TABLE items (v INTEGER UNIQUE)"));

    private static int count(Database db) {
        return db.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM items")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private static void insert(Database db, int v) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?)")) {
                ps.setInt(1, v);
                return ps.executeUpdate();
            }
        });
    }

    @Test
    void opensInWalModeWithAPrivateFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/t.db");
        try (Database db = Database.open(file, V1, Database.Options.defaults())) {
            assertEquals(1, db.schemaVersion());
            String mode = db.read(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertEquals("wal", mode);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void aFailingWriteRollsBackAloneAndReachesItsCaller(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(dir.resolve("t.db"), V1, Database.Options.defaults())) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int v = i;
                fs.add(pool.submit(() -> {
                    if (v % 10 == 0) {
                        // inserts, then fails: the insert must not survive
                        assertThrows(IllegalStateException.class, () -> db.write(c -> {
                            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?)")) {
                                ps.setInt(1, 10_000 + v);
                                ps.executeUpdate();
                            }
                            throw new IllegalStateException("refused " + v);
                        }));
                    } else {
                        insert(db, v);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            assertEquals(180, count(db));
            Database.Stats s = db.stats();
            assertEquals(200, s.writes());
            assertEquals(20, s.failedWrites());
            assertTrue(s.commits() <= 200, "writes were grouped: " + s);
            // a constraint violation is a StorageException for that write only
            assertThrows(StorageException.class, () -> insert(db, 1));
            insert(db, 5000);
            assertEquals(181, count(db));
        }
    }

    @Test
    void aWriteInsideAWriteJoinsItsTransaction(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("t.db"), V1, Database.Options.defaults())) {
            db.write(c -> {
                insert(db, 1);
                insert(db, 2);
                return null;
            });
            assertEquals(2, count(db));
        }
    }

    @Test
    void migrationsApplyOnceInOrderAndANewerFileIsRefused(@TempDir Path dir) {
        Path file = dir.resolve("t.db");
        try (Database db = Database.open(file, V1, Database.Options.defaults())) {
            insert(db, 7);
        }
        List<Migration> v2 = List.of(V1.get(0), Migration.of(2, "labels", "ALTER TABLE items ADD COLUMN label TEXT",
                "UPDATE items SET label = 'seven' WHERE v = 7"));
        try (Database db = Database.open(file, v2, Database.Options.defaults())) {
            assertEquals(2, db.schemaVersion());
            String label = db.read(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT label FROM items")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertEquals("seven", label);
        }
        StorageException e = assertThrows(StorageException.class,
                () -> Database.open(file, V1, Database.Options.defaults()));
        assertTrue(e.getMessage().contains("newer Cove"), e.getMessage());
        var gap = assertThrows(IllegalArgumentException.class, () -> Database.open(dir.resolve("u.db"),
                List.of(Migration.of(2, "x", "SELECT 1")), Database.Options.defaults()));
        assertTrue(gap.getMessage().contains("1, 2, 3"), gap.getMessage());
    }

    @Test
    void asyncWritesApplyInOrderAndReportTheirFailure(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("t.db"), V1, Database.Options.defaults()
                .withDurability(Database.Durability.NORMAL))) {
            List<java.util.concurrent.CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int base = i * 100;
                fs.add(db.writeAsync(c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?)")) {
                        for (int k = 0; k < 100; k++) {
                            ps.setInt(1, base + k);
                            ps.addBatch();
                        }
                        return ps.executeBatch().length;
                    }
                }));
            }
            var dup = db.writeAsync(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (1)")) {
                    return ps.executeUpdate();
                }
            });
            for (var f : fs) {
                assertEquals(100, f.join());
            }
            var e = assertThrows(java.util.concurrent.CompletionException.class, dup::join);
            assertTrue(e.getCause() instanceof StorageException, e.toString());
            assertEquals(5000, count(db));
        }
    }

    @Test
    void anExclusiveWriteRunsInATransactionOfItsOwn(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(dir.resolve("t.db"), V1, Database.Options.defaults())) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int v = i;
                fs.add(pool.submit(() -> insert(db, v)));
            }
            var failed = assertThrows(IllegalStateException.class, () -> db.exclusive(c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE INDEX items_v ON items(v)");
                }
                throw new IllegalStateException("give up");
            }));
            assertEquals("give up", failed.getMessage());
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            assertEquals(20, count(db), "writes around a failed exclusive one are kept");
            int indexes = db.read(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'items_v'")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertEquals(0, indexes, "the failed exclusive write was rolled back");
        }
    }

    @Test
    void writesAfterCloseAreRefused(@TempDir Path dir) {
        Database db = Database.open(dir.resolve("t.db"), V1, Database.Options.defaults());
        insert(db, 1);
        db.close();
        var e = assertThrows(StorageException.class, () -> insert(db, 2));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
