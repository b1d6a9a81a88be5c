package dev.cove.daemon.jobs;

import dev.cove.api.Cove;
import dev.cove.api.jobs.FileCounts;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.jobs.JobState;
import dev.cove.rpc.server.EventHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobLogicTest {
    @Test
    void keepBothNames(@TempDir Path tmp) throws Exception {
        assertEquals("report (2).pdf", ConflictNames.alternative("report.pdf", 2));
        assertEquals("Makefile (3)", ConflictNames.alternative("Makefile", 3));
        assertEquals(".bashrc (2)", ConflictNames.alternative(".bashrc", 2));
        assertEquals("a.tar (2).gz", ConflictNames.alternative("a.tar.gz", 2));
        Path t = tmp.resolve("x.txt");
        assertEquals(t, ConflictNames.free(t));
        Files.writeString(t, "1");
        Files.writeString(tmp.resolve("x (2).txt"), "2");
        assertEquals(tmp.resolve("x (3).txt"), ConflictNames.free(t));
        Path part = ConflictNames.temporary(t, 42);
        assertEquals(".x.txt.cove-42.part", part.getFileName().toString());
        assertEquals(tmp, part.getParent());
    }

    @Test
    void trashInfoFollowsTheSpec() {
        String info = Trash.info(Path.of("/home/me/My File%.txt"), LocalDateTime.of(2024, 5, 6, 7, 8, 9, 123));
        assertEquals("[Trash Info]\nPath=/home/me/My%20File%25.txt\nDeletionDate=2024-05-06T07:08:09\n", info);
    }

    @Test
    void trashDirFromXdg() {
        assertEquals(Path.of("/x/data/Trash"), Trash.home(Map.of("XDG_DATA_HOME", "/x/data")).dir());
        assertTrue(Trash.home(Map.of()).dir().endsWith(Path.of(".local/share/Trash")));
    }

    /** A jobs.db written before the counts were kept opens, its records read back with counts null; new ones keep them. */
    @Test
    void conflictCountsAreStoredBesideOlderRecords(@TempDir Path tmp) throws Exception {
        Path db = tmp.resolve("jobs.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE jobs(
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      kind TEXT NOT NULL, state TEXT NOT NULL, description TEXT NOT NULL, library_id TEXT,
                      done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
                      bytes INTEGER NOT NULL DEFAULT 0, bytes_total INTEGER NOT NULL DEFAULT 0,
                      error TEXT, result TEXT, temp_path TEXT,
                      created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER)""");
            st.execute("CREATE INDEX jobs_state ON jobs(state)");
            st.execute("INSERT INTO jobs(kind, state, description, done, total, result, created_at, started_at, finished_at) "
                    + "VALUES ('COPY', 'COMPLETED', 'copy /a to /b', 2, 2, 'copied 2 files (10 bytes)', 1000, 1000, 2000)");
            st.execute("PRAGMA user_version=1");
        }
        FileCounts counts = new FileCounts(1, 2, 3, 4);
        long id;
        try (JobManager jobs = new JobManager(db, new EventHub(Cove.EVENTS), 1)) {
            JobInfo old = jobs.get(1);
            assertEquals("copied 2 files (10 bytes)", old.result());
            assertNull(old.counts(), "an older record has no counts");
            id = jobs.submit(JobKind.COPY, "copy", null, ctx -> {
                ctx.counts(counts);
                return "done";
            }).id();
            JobInfo j = jobs.await(id, 30_000);
            assertEquals(JobState.COMPLETED, j.state());
            assertEquals(counts, j.counts());
            assertNull(jobs.submit(JobKind.DELETE, "delete", null, ctx -> "deleted").counts(), "a job that copies nothing");
        }
        try (JobManager jobs = new JobManager(db, new EventHub(Cove.EVENTS), 1)) {
            assertEquals(counts, jobs.get(id).counts(), "stored, not only held in memory");
            assertNull(jobs.get(1).counts());
        }
    }
}
