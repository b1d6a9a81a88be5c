package dev.cove.faults;

import dev.cove.api.events.JobUpdate;
import dev.cove.api.files.CopyFiles;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;
import dev.cove.api.files.SortField;
import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.jobs.JobState;
import dev.cove.api.jobs.ListJobs;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.libraries.ListLibraries;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.LogEvent;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the daemon at random moments during library writes, session writes, indexing and copies, over
 * and over. After every restart: every acknowledged write is there, SQLite's integrity check passes, no job
 * from before the crash claims to run, an index equals a fresh walk once the start-up rescan is done, and no
 * partial file sits under a final name.
 */
class CrashConsistencyTest {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final long SEED = Long.getLong("cove.faults.seed", 20261122L);
    @TempDir
    Path tmp;

    static int kills() {
        return Faults.scale(10, 100);
    }

    static void kill9(DaemonProcess d) {
        d.process().destroyForcibly();
        d.awaitExit(Duration.ofSeconds(20));
    }

    /** Waits a random moment (0 to {@code maxMillis}) before the kill. */
    static void randomPause(Random r, int maxMillis) throws InterruptedException {
        Thread.sleep(r.nextInt(maxMillis + 1)); // the random kill point is the point of this test
    }

    /** PRAGMA integrity_check on every SQLite database of the data folder, with the daemon dead. */
    static void integrityCheck(Path data, String when) throws Exception {
        List<Path> dbs;
        try (Stream<Path> s = Files.walk(data)) {
            dbs = s.filter(p -> p.toString().endsWith(".db")).toList();
        }
        for (Path db : dbs) {
            Process p = new ProcessBuilder("sqlite3", db.toString(), "PRAGMA integrity_check;").redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals("ok", out, "integrity_check of " + db + " " + when);
        }
    }

    /** Jobs created before a crash must not claim to be queued, running or paused after the restart. */
    static void noJobLies(CoreClient c, Set<Long> before) {
        for (JobInfo j : c.call(new ListJobs(null, 10_000)).jobs()) {
            if (before.contains(j.id())) {
                assertTrue(j.state() != JobState.RUNNING && j.state() != JobState.QUEUED && j.state() != JobState.PAUSED,
                        "job from before the crash claims to be " + j.state() + ": " + j);
            }
        }
    }

    @Test
    void libraryWritesSurviveKill9() throws Exception {
        Random r = new Random(SEED);
        Path data = tmp.resolve("lib");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int survived = 0;
        for (int round = 0; round < kills(); round++) {
            try (DaemonProcess d = DaemonProcess.start(data, "crashlib")) {
                CoreClient c = d.client();
                Set<String> names = c.call(new ListLibraries()).libraries().stream().map(LibraryInfo::name)
                        .collect(Collectors.toSet());
                assertTrue(names.containsAll(acknowledged), "lost libraries: " + acknowledged.stream()
                        .filter(n -> !names.contains(n)).toList());
                int r0 = round;
                Thread writer = Thread.ofPlatform().start(() -> {
                    for (int i = 0; ; i++) {
                        String name = "lib-" + r0 + "-" + i;
                        try {
                            c.call(new CreateLibrary(name), Duration.ofSeconds(20));
                            acknowledged.add(name);
                        } catch (RpcException e) {
                            return;
                        }
                    }
                });
                Await.until(WAIT, () -> acknowledged.stream().anyMatch(n -> n.startsWith("lib-" + r0 + "-")),
                        "a first library written in round " + r0);
                randomPause(r, 400);
                kill9(d);
                writer.join(30_000);
                survived++;
            }
            integrityCheck(data, "after kill " + survived);
        }
        try (DaemonProcess d = DaemonProcess.start(data, "crashlib")) {
            Set<String> names = d.client().call(new ListLibraries()).libraries().stream().map(LibraryInfo::name)
                    .collect(Collectors.toSet());
            assertTrue(names.containsAll(acknowledged));
        }
        System.out.println("[faults] kill -9 during library writes: " + survived + " kills survived, "
                + acknowledged.size() + " acknowledged libraries, none lost");
    }

    @Test
    void sessionWritesSurviveKill9() throws Exception {
        Random r = new Random(SEED + 1);
        Path data = tmp.resolve("ses");
        List<String> sessions = new ArrayList<>();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int survived = 0;
        for (int round = 0; round <= kills(); round++) {
            try (DaemonProcess d = DaemonProcess.start(data, "crashses")) {
                CoreClient c = d.client();
                Set<String> stored = new TreeSet<>();
                for (String s : sessions) {
                    c.call(new GetSession(s, 10_000)).events().forEach(e -> stored.add(s + "/" + e.name()));
                }
                List<String> lost = acknowledged.stream().filter(a -> !stored.contains(a)).sorted().toList();
                assertTrue(lost.isEmpty(), lost.size() + " acknowledged session events lost: " + lost);
                if (round == kills()) {
                    break;
                }
                String id = c.call(new RegisterSession("crash-app", "1", ProcessHandle.current().pid(), null, 0L, null))
                        .sessionId();
                sessions.add(id);
                Thread writer = Thread.ofPlatform().start(() -> {
                    for (int i = 0; ; i++) {
                        try {
                            c.call(new LogEvent(id, "e" + i, null, null, null), Duration.ofSeconds(20));
                            acknowledged.add(id + "/e" + i);
                        } catch (RpcException e) {
                            return;
                        }
                    }
                });
                Await.until(WAIT, () -> acknowledged.contains(id + "/e0"), "a first event acknowledged");
                randomPause(r, 400);
                kill9(d);
                writer.join(30_000);
                survived++;
            }
            integrityCheck(data, "after kill " + survived);
        }
        System.out.println("[faults] kill -9 during session writes: " + survived + " kills survived, "
                + acknowledged.size() + " acknowledged events, none lost");
    }

    /** A tree of {@code files} small files in a few folders. */
    static void tree(Path root, int files, Random r) throws IOException {
        Files.createDirectories(root);
        for (int i = 0; i < files; i++) {
            Path dir = root.resolve("d" + r.nextInt(20)).resolve("e" + r.nextInt(5));
            Files.createDirectories(dir);
            byte[] b = new byte[r.nextInt(4000)];
            r.nextBytes(b);
            Files.write(dir.resolve("f" + i + "-" + r.nextInt(1000) + ".bin"), b);
        }
    }

    static Set<String> indexed(CoreClient c, String lib) {
        Set<String> paths = new TreeSet<>();
        String cursor = null;
        do {
            SearchResult res = c.call(new SearchFiles(lib, null, null, null, null, null, null, null, null, null,
                    SortField.PATH, false, 5000, cursor));
            for (FileEntry e : res.entries()) {
                assertTrue(paths.add(e.path()), "indexed twice: " + e.path());
            }
            cursor = res.nextCursor();
        } while (cursor != null);
        return paths;
    }

    static Set<String> walk(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(Path::toString).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * Waits for the first JobUpdate of {@code jobId} that shows the scan running: the moment to kill. The stream
     * was opened before the job started, so its first events cannot be missed.
     */
    static void awaitRunning(EventStream events, long jobId) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            StreamItem item = events.poll(Duration.ofSeconds(5));
            if (item instanceof StreamItem.Delivered d && d.event() instanceof JobUpdate u && u.jobId() == jobId) {
                if (u.state() == JobState.RUNNING) {
                    return;
                }
                assertTrue(!u.state().isFinished(), "the scan ended before its first progress event: " + u);
            }
            assertTrue(!(item instanceof StreamItem.Ended), "the event stream ended: " + item);
        }
        throw new AssertionError("no progress event for scan " + jobId + " within " + WAIT.toSeconds() + " s");
    }

    @Test
    void indexingSurvivesKill9AndTheIndexEqualsAFreshWalk() throws Exception {
        Random r = new Random(SEED + 2);
        Path data = tmp.resolve("idx");
        Path root = tmp.resolve("tree");
        tree(root, Faults.scale(3000, 6000), r);
        int midScan = 0;
        String lib = null;
        Set<Long> jobsBefore = new TreeSet<>();
        long killedJob = -1;
        int survived = 0;
        for (int round = 0; round <= kills(); round++) {
            try (DaemonProcess d = DaemonProcess.start(data, "crashidx")) {
                CoreClient c = d.client();
                if (killedJob >= 0) {
                    // proof that the kill hit a running scan: the restart found it running and marked it so
                    JobState after = c.call(new GetJob(killedJob)).state();
                    if (after == JobState.INTERRUPTED) {
                        midScan++;
                    }
                }
                EventStream events = c.subscribe(EventFilter.NONE, JobUpdate.class);
                long job;
                if (lib == null) {
                    lib = c.call(new CreateLibrary("Crash")).id();
                    job = c.call(new AddLocation(lib, root.toString())).jobId();
                } else {
                    noJobLies(c, jobsBefore);
                    // the start-up rescan finishes what the crash cut short; then the index is the disk
                    Await.until(WAIT, () -> c.call(new ListJobs(null, 10_000)).jobs().stream()
                                    .noneMatch(j -> j.kind() == JobKind.INDEX && !j.state().isFinished()),
                            "the start-up rescan to finish");
                    assertEquals(walk(root), indexed(c, lib), "index after kill " + survived + " equals a fresh walk");
                    if (round == kills()) {
                        break;
                    }
                    // change the tree so the next scan has work, and start it
                    tree(root.resolve("round" + round), 300 + r.nextInt(600), r);
                    job = c.call(new dev.cove.api.locations.RescanLocation(lib,
                            c.call(new dev.cove.api.locations.ListLocations(lib)).locations().get(0).id())).id();
                }
                jobsBefore.add(job);
                c.call(new ListJobs(null, 10_000)).jobs().forEach(j -> jobsBefore.add(j.id()));
                awaitRunning(events, job);
                kill9(d);
                killedJob = job;
                survived++;
            }
            integrityCheck(data, "after kill " + survived);
        }
        System.out.println("[faults] kill -9 during indexing: " + survived + " kills survived, " + midScan + " of "
                + survived + " kills with a scan running (the restart found the scan running and marked it "
                + "INTERRUPTED)");
        assertEquals(survived, midScan, "every kill hit a running scan");
    }

    @Test
    void copiesSurviveKill9WithoutPartialFilesUnderFinalNames() throws Exception {
        Random r = new Random(SEED + 3);
        Path data = tmp.resolve("cp");
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        for (int i = 0; i < 40; i++) {
            byte[] b = new byte[(1 << 20) + r.nextInt(1 << 20)];
            r.nextBytes(b);
            Files.write(src.resolve("file" + i + ".bin"), b);
        }
        Set<Long> jobsBefore = new TreeSet<>();
        int survived = 0;
        int midCopy = 0;
        for (int round = 0; round <= kills(); round++) {
            try (DaemonProcess d = DaemonProcess.start(data, "crashcp")) {
                CoreClient c = d.client();
                noJobLies(c, jobsBefore);
                // after the restart: temporary files are gone, and whatever has a final name is whole
                Path dstRoot = tmp.resolve("dst");
                if (Files.exists(dstRoot)) {
                    try (Stream<Path> s = Files.walk(dstRoot)) {
                        for (Path p : s.filter(Files::isRegularFile).toList()) {
                            assertTrue(!p.getFileName().toString().endsWith(".part"), "temporary file left: " + p);
                            assertArrayEquals(Files.readAllBytes(src.resolve(p.getFileName().toString())),
                                    Files.readAllBytes(p), "a file under its final name is complete: " + p);
                        }
                    }
                }
                if (round == kills()) {
                    break;
                }
                Path dst = Files.createDirectories(dstRoot.resolve("r" + round));
                long id = c.call(new CopyFiles(List.of(src.toString()), dst.toString(), null)).id();
                jobsBefore.add(id);
                randomPause(r, 250); // most copies here take longer than that
                JobInfo before = c.call(new GetJob(id));
                if (!before.state().isFinished()) {
                    midCopy++;
                }
                kill9(d);
                survived++;
                if (before.state() == JobState.COMPLETED) {
                    assertEquals(walkNames(src), walkNames(dst.resolve("src")), "a completed copy has every file");
                }
            }
            integrityCheck(data, "after kill " + survived);
        }
        System.out.println("[faults] kill -9 during copies: " + survived + " kills survived (" + midCopy
                + " with the copy running a moment before the kill)");
    }

    static Set<String> walkNames(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
