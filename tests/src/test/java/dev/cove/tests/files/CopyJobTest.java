package dev.cove.tests.files;

import dev.cove.api.events.JobUpdate;
import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.files.CopyFiles;
import dev.cove.api.files.DeleteFiles;
import dev.cove.api.files.MoveFiles;
import dev.cove.api.files.RenameFile;
import dev.cove.api.jobs.FileCounts;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.jobs.CancelJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobState;
import dev.cove.api.jobs.ListJobs;
import dev.cove.api.jobs.PauseJob;
import dev.cove.api.jobs.ResumeJob;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Copy, move, rename and delete jobs; cancel, pause and resume; progress events. */
class CopyJobTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** The daemon copies at most this fast, so a test can catch a copy half-way. */
    static final long BPS = 100L << 20;
    @TempDir
    static Path tmp;
    static FilesDaemon daemon;
    static CoreClient client;

    @BeforeAll
    static void start() {
        daemon = FilesDaemon.start(tmp.resolve("data"), "-Dcove.copy.maxBytesPerSecond=" + BPS);
        client = daemon.client();
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    static Path bigFile(Path p, long bytes) throws IOException {
        Files.createDirectories(p.getParent());
        byte[] block = new byte[1 << 20];
        new Random(3).nextBytes(block);
        try (OutputStream out = Files.newOutputStream(p)) {
            for (long w = 0; w < bytes; w += block.length) {
                out.write(block, 0, (int) Math.min(block.length, bytes - w));
            }
        }
        return p;
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void cancelledLargeCopyLeavesNothingBehind() throws Exception {
        Path src = bigFile(tmp.resolve("src/big.bin"), 200L << 20);
        Path dst = Files.createDirectories(tmp.resolve("dst-cancel"));
        try (EventStream events = client.subscribe(EventFilter.NONE, JobUpdate.class)) {
            JobInfo job = client.call(new CopyFiles(List.of(src.toString()), dst.toString(), null));
            List<JobUpdate> seen = new ArrayList<>();
            JobUpdate last = null;
            while (last == null || last.bytes() < (100L << 20)) {
                StreamItem i = events.poll(WAIT);
                if (i instanceof StreamItem.Delivered d && d.event() instanceof JobUpdate u && u.jobId() == job.id()) {
                    seen.add(u);
                    last = u;
                    assertFalse(u.state().isFinished(), "copy ended before it could be cancelled: " + u);
                }
            }
            assertTrue(names(dst).stream().anyMatch(n -> n.endsWith(".part")), "temporary file while copying: " + names(dst));
            assertFalse(Files.exists(dst.resolve("big.bin")), "no file under the final name while copying");
            JobInfo cancelled = client.call(new CancelJob(job.id()));
            assertEquals(JobState.CANCELLED, cancelled.state());
            assertTrue(cancelled.bytes() < cancelled.bytesTotal());
            assertEquals(List.of(), names(dst), "neither the final file nor the temporary one is left");
            // progress: totals known, rate and ETA reported, at most ~10 updates a second
            JobUpdate mid = seen.get(seen.size() - 1);
            assertEquals(200L << 20, mid.bytesTotal());
            assertTrue(mid.bytesPerSecond() > 0 && mid.etaSeconds() >= 0, "rate and ETA: " + mid);
            long secs = Math.max(1, (mid.time().toEpochMilli() - seen.get(0).time().toEpochMilli()) / 1000 + 1);
            assertTrue(seen.size() <= 12 * secs + 3, seen.size() + " updates in ~" + secs + " s");
        }
    }

    @Test
    void copyKeepsTimesAndHonoursConflictPolicy() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("c-src"));
        Files.writeString(src.resolve("a.txt"), "new a");
        Files.createDirectories(src.resolve("sub"));
        Files.writeString(src.resolve("sub/b.txt"), "new b");
        Files.setLastModifiedTime(src.resolve("a.txt"), FileTime.fromMillis(1_500_000_000_000L));
        Path dst = Files.createDirectories(tmp.resolve("c-dst"));

        JobInfo j = FilesDaemon.awaitJob(client, client.call(new CopyFiles(List.of(src.toString()), dst.toString(), null)).id(), WAIT);
        assertEquals(JobState.COMPLETED, j.state(), j::toString);
        assertEquals("new a", Files.readString(dst.resolve("c-src/a.txt")));
        assertEquals(1_500_000_000_000L, Files.getLastModifiedTime(dst.resolve("c-src/a.txt")).toMillis());
        assertEquals(2, j.done());

        Path target = dst.resolve("c-src/a.txt");
        Files.writeString(target, "old");
        RpcException e = assertThrows(RpcException.class,
                () -> client.call(new CopyFiles(List.of(src.resolve("a.txt").toString()), dst.resolve("c-src").toString(), null)));
        assertEquals(ErrorCode.CONFLICT, e.code());
        assertTrue(e.getMessage().contains("skip, overwrite or keep-both"), e.getMessage());

        run(new CopyFiles(List.of(src.resolve("a.txt").toString()), dst.resolve("c-src").toString(), ConflictPolicy.SKIP));
        assertEquals("old", Files.readString(target));
        run(new CopyFiles(List.of(src.resolve("a.txt").toString()), dst.resolve("c-src").toString(), ConflictPolicy.KEEP_BOTH));
        assertEquals("old", Files.readString(target));
        assertEquals("new a", Files.readString(dst.resolve("c-src/a (2).txt")));
        run(new CopyFiles(List.of(src.resolve("a.txt").toString()), dst.resolve("c-src").toString(), ConflictPolicy.OVERWRITE));
        assertEquals("new a", Files.readString(target));
        assertTrue(names(dst.resolve("c-src")).stream().noneMatch(n -> n.endsWith(".part")));
    }

    /**
     * With a conflict policy, the job says what it did with each file (copied, skipped, overwritten, renamed):
     * in its result, its record (as stored: jobs.list reads it back) and its last JobUpdate; each count is
     * checked against the files on disk.
     */
    @Test
    void conflictPoliciesReportWhatHappenedToEachFile() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("k-src"));
        Files.writeString(src.resolve("a.txt"), "new a");
        Files.writeString(src.resolve("b.txt"), "new b");
        Files.writeString(Files.createDirectories(src.resolve("sub")).resolve("c.txt"), "new c");
        Path dst = Files.createDirectories(tmp.resolve("k-dst"));
        Path into = Files.createDirectories(dst.resolve("k-src"));
        Files.writeString(into.resolve("a.txt"), "old a");
        Files.writeString(into.resolve("b.txt"), "old b");

        // skip: the two that are there stay, only c is copied
        JobInfo skip = copy(List.of(src), dst, ConflictPolicy.SKIP);
        assertEquals("old a", Files.readString(into.resolve("a.txt")));
        assertEquals("old b", Files.readString(into.resolve("b.txt")));
        assertEquals("new c", Files.readString(into.resolve("sub/c.txt")));
        assertEquals(new FileCounts(1, 2, 0, 0), skip.counts(), skip::toString);
        assertEquals("copied 1 file (5 bytes): 2 skipped (already there)", skip.result());

        // overwrite: all three are replaced
        Files.writeString(into.resolve("sub/c.txt"), "old c");
        JobInfo over = copy(List.of(src), dst, ConflictPolicy.OVERWRITE);
        for (String n : List.of("a.txt", "b.txt", "sub/c.txt")) {
            assertEquals(Files.readString(src.resolve(n)), Files.readString(into.resolve(n)), n);
        }
        assertEquals(new FileCounts(0, 0, 3, 0), over.counts(), over::toString);
        assertEquals("copied 3 files (15 bytes): 3 overwritten", over.result());

        // keep both, file by file and a whole folder
        Path fresh = src.resolve("d.txt");
        Files.writeString(fresh, "new d");
        JobInfo both = copy(List.of(src.resolve("a.txt"), src.resolve("b.txt"), fresh), into, ConflictPolicy.KEEP_BOTH);
        assertEquals(List.of("a (2).txt", "a.txt", "b (2).txt", "b.txt", "d.txt", "sub"), names(into));
        assertEquals(new FileCounts(1, 0, 0, 2), both.counts(), both::toString);
        JobInfo folder = copy(List.of(src), dst, ConflictPolicy.KEEP_BOTH);
        assertEquals(List.of("k-src", "k-src (2)"), names(dst));
        assertEquals(List.of("a.txt", "b.txt", "d.txt", "sub"), names(dst.resolve("k-src (2)")));
        assertEquals(new FileCounts(0, 0, 0, 4), folder.counts(), "its files sit beside the others, in \"k-src (2)\": "
                + folder);
        assertEquals("copied 4 files (20 bytes): 4 renamed (kept both)", folder.result());

        // a copy without conflicts: all copied
        JobInfo plain = copy(List.of(src), Files.createDirectories(tmp.resolve("k-empty")), null);
        assertEquals(new FileCounts(4, 0, 0, 0), plain.counts(), plain::toString);
        assertEquals("copied 4 files (20 bytes)", plain.result());

        // the stored record has them too
        JobInfo listed = client.call(new ListJobs(JobState.COMPLETED, 0)).jobs().stream().filter(j -> j.id() == skip.id())
                .findFirst().orElseThrow();
        assertEquals(skip.counts(), listed.counts());
    }

    /** Runs a copy to its end, following its JobUpdates: the last one carries the same counts as the record. */
    private static JobInfo copy(List<Path> sources, Path dst, ConflictPolicy policy) throws Exception {
        try (EventStream events = client.subscribe(EventFilter.of("kind", "COPY"), JobUpdate.class)) {
            JobInfo j = run(new CopyFiles(sources.stream().map(Path::toString).toList(), dst.toString(), policy));
            JobUpdate last = null;
            while (last == null || last.jobId() != j.id() || !last.state().isFinished()) {
                StreamItem item = events.poll(WAIT);
                if (item instanceof StreamItem.Delivered d && d.event() instanceof JobUpdate u) {
                    last = u;
                } else if (item == null) {
                    throw new AssertionError("no final JobUpdate for job " + j.id());
                }
            }
            assertEquals(j.counts(), last.counts(), "the final JobUpdate's counts");
            return j;
        }
    }

    static JobInfo run(dev.cove.rpc.Request<JobInfo> r) {
        JobInfo j = FilesDaemon.awaitJob(client, client.call(r).id(), WAIT);
        assertEquals(JobState.COMPLETED, j.state(), j::toString);
        return j;
    }

    @Test
    void moveRenameAndDelete() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(d.resolve("one.txt"), "1");
        Files.createDirectories(d.resolve("into"));
        // move, rename and delete act only on what a library holds
        String lib = client.call(new CreateLibrary("Moves")).id();
        FilesDaemon.awaitJob(client, client.call(new AddLocation(lib, d.toString())).jobId(), WAIT);
        run(new MoveFiles(List.of(d.resolve("one.txt").toString()), d.resolve("into").toString(), null));
        assertEquals("1", Files.readString(d.resolve("into/one.txt")));
        assertFalse(Files.exists(d.resolve("one.txt")));

        run(new RenameFile(d.resolve("into/one.txt").toString(), "uno.txt"));
        assertTrue(Files.exists(d.resolve("into/uno.txt")));
        Files.writeString(d.resolve("into/dos.txt"), "2");
        RpcException e = assertThrows(RpcException.class, () -> client.call(new RenameFile(d.resolve("into/uno.txt").toString(), "dos.txt")));
        assertEquals(ErrorCode.CONFLICT, e.code());

        // to the freedesktop trash, with its .trashinfo
        run(new DeleteFiles(List.of(d.resolve("into/uno.txt").toString()), false));
        assertFalse(Files.exists(d.resolve("into/uno.txt")));
        Path trash = daemon.trashHome.resolve("Trash");
        assertEquals("1", Files.readString(trash.resolve("files/uno.txt")));
        String info = Files.readString(trash.resolve("info/uno.txt.trashinfo"));
        assertTrue(info.startsWith("[Trash Info]\nPath=" + d.resolve("into/uno.txt") + "\nDeletionDate="), info);
        // a second file of the same name gets its own slot
        Files.writeString(d.resolve("into/uno.txt"), "again");
        run(new DeleteFiles(List.of(d.resolve("into/uno.txt").toString()), false));
        assertEquals("again", Files.readString(trash.resolve("files/uno (2).txt")));

        run(new DeleteFiles(List.of(d.resolve("into").toString()), true));
        assertFalse(Files.exists(d.resolve("into")));
    }

    @Test
    void pauseAndResume() throws Exception {
        Path src = bigFile(tmp.resolve("p-src/p.bin"), 60L << 20);
        Path dst = Files.createDirectories(tmp.resolve("p-dst"));
        JobInfo job = client.call(new CopyFiles(List.of(src.toString()), dst.toString(), null));
        JobInfo p = client.call(new PauseJob(job.id()));
        assertEquals(JobState.PAUSED, p.state());
        long b1 = client.call(new dev.cove.api.jobs.GetJob(job.id())).bytes();
        Thread.sleep(300); // a paused job must not advance: watch it for a moment
        long b2 = client.call(new dev.cove.api.jobs.GetJob(job.id())).bytes();
        assertTrue(b2 - b1 <= (8L << 20), "advanced while paused: " + b1 + " -> " + b2);
        assertTrue(client.call(new ListJobs(JobState.PAUSED, 0)).jobs().stream().anyMatch(x -> x.id() == job.id()));
        client.call(new ResumeJob(job.id()));
        JobInfo end = FilesDaemon.awaitJob(client, job.id(), WAIT);
        assertEquals(JobState.COMPLETED, end.state(), end::toString);
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst.resolve("p.bin")));
        RpcException e = assertThrows(RpcException.class, () -> client.call(new CancelJob(job.id())));
        assertEquals(ErrorCode.CONFLICT, e.code());
    }
}
