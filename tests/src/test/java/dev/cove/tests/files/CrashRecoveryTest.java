package dev.cove.tests.files;

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
import dev.cove.api.locations.AddLocation;
import dev.cove.api.locations.LocationAdded;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kill -9 in the middle of work, then a restart: nothing claims to run, nothing half-done is left. */
class CrashRecoveryTest {
    static final Duration WAIT = Duration.ofSeconds(90);
    @TempDir
    Path tmp;

    @Test
    void killDuringIndexingThenRestart() throws Exception {
        Path tree = tmp.resolve("tree");
        Trees.generate(tree, 6000, 11);
        Path data = tmp.resolve("data");
        String lib;
        long jobId;
        // slow the scan a little via a copy cap? no: indexing has no cap; catch it early instead
        try (FilesDaemon d = FilesDaemon.start(data)) {
            CoreClient c = d.client();
            lib = c.call(new CreateLibrary("Crash")).id();
            LocationAdded a = c.call(new AddLocation(lib, tree.toString()));
            jobId = a.jobId();
            Await.until(WAIT, () -> c.call(new GetJob(a.jobId())).done() >= 2500
                    || c.call(new GetJob(a.jobId())).state().isFinished(), "indexing under way");
            JobInfo mid = c.call(new GetJob(jobId));
            System.out.println("killing the daemon during indexing at " + mid.done() + " entries, state " + mid.state());
            d.kill9();
        }
        try (FilesDaemon d = FilesDaemon.start(data)) {
            CoreClient c = d.client();
            JobInfo old = c.call(new GetJob(jobId));
            assertTrue(old.state() == JobState.INTERRUPTED || old.state() == JobState.COMPLETED, old::toString);
            // the restart resumes indexing with a new job; once done the index matches the disk exactly
            Await.until(WAIT, () -> c.call(new ListJobs(null, 0)).jobs().stream()
                    .filter(j -> j.kind() == JobKind.INDEX && j.id() != jobId)
                    .anyMatch(j -> j.state() == JobState.COMPLETED), "resumed index job completed");
            assertTrue(c.call(new ListJobs(null, 0)).jobs().stream().noneMatch(j -> j.state() == JobState.RUNNING
                    && j.id() == jobId));
            Set<String> indexed = new TreeSet<>();
            String cursor = null;
            int rows = 0;
            do {
                SearchResult r = c.call(new SearchFiles(lib, null, null, null, null, null, null, null, null, null,
                        SortField.PATH, false, 5000, cursor));
                for (FileEntry e : r.entries()) {
                    indexed.add(e.path());
                    rows++;
                }
                cursor = r.nextCursor();
            } while (cursor != null);
            Set<String> onDisk = Trees.walk(tree).stream().map(Trees.Disk::path).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(onDisk, indexed);
            assertEquals(onDisk.size(), rows, "no duplicate rows");
        }
    }

    @Test
    void killDuringCopyThenRestart() throws Exception {
        Path src = CopyJobTest.bigFile(tmp.resolve("src/big.bin"), 64L << 20);
        Path dst = Files.createDirectories(tmp.resolve("dst"));
        Path data = tmp.resolve("data");
        long jobId;
        try (FilesDaemon d = FilesDaemon.start(data, "-Dcove.copy.maxBytesPerSecond=" + (16L << 20))) {
            CoreClient c = d.client();
            jobId = c.call(new CopyFiles(List.of(src.toString()), dst.toString(), null)).id();
            Await.until(WAIT, () -> c.call(new GetJob(jobId)).bytes() >= (8L << 20), "copy under way");
            assertTrue(list(dst).stream().anyMatch(n -> n.endsWith(".part")), "temporary file exists: " + list(dst));
            d.kill9();
        }
        assertFalse(Files.exists(dst.resolve("big.bin")), "no file under the final name after the crash");
        try (FilesDaemon d = FilesDaemon.start(data)) {
            CoreClient c = d.client();
            JobInfo j = c.call(new GetJob(jobId));
            assertEquals(JobState.INTERRUPTED, j.state(), j::toString);
            assertTrue(j.error().contains("daemon stopped"), j.error());
            assertEquals(List.of(), list(dst), "the temporary file is cleaned up at start");
        }
    }

    static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
