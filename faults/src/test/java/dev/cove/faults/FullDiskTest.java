package dev.cove.faults;

import dev.cove.api.core.Ping;
import dev.cove.api.files.CopyFiles;
import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobState;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.libraries.ListLibraries;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.LogEvent;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The data folder (and a copy destination) on small file systems that fill up: writes fail with a clear error,
 * nothing is corrupted or lost, reads go on, and writes work again once space returns.
 */
class FullDiskTest {
    final List<Path> mounts = new ArrayList<>();
    Path work;

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.out.println("[faults] " + String.join(" ", cmd) + " -> " + p.exitValue() + ": " + out.trim());
        }
        return p.exitValue();
    }

    /** A small file system at {@code dir}: tmpfs, else a loop-mounted ext4 image; null if neither can be mounted. */
    Path smallFs(Path dir, int mib) throws Exception {
        Files.createDirectories(dir);
        if (run("mount", "-t", "tmpfs", "-o", "size=" + mib + "m,mode=0700", "tmpfs", dir.toString()) == 0) {
            mounts.add(dir);
            return dir;
        }
        Path img = work.resolve(dir.getFileName() + ".img");
        if (run("truncate", "-s", mib + "M", img.toString()) == 0 && run("mkfs.ext4", "-q", img.toString()) == 0
                && run("mount", "-o", "loop", img.toString(), dir.toString()) == 0) {
            mounts.add(dir);
            return dir;
        }
        return null;
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path m : mounts) {
            if (run("umount", m.toString()) != 0) {
                run("umount", "-l", m.toString());
            }
        }
        if (work != null) {
            try (Stream<Path> walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Fills a file system with one file until it refuses more; returns the file. */
    static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return filler;
    }

    static void assertClearError(RpcException e, String what) {
        String msg = String.valueOf(e.getMessage());
        System.out.println("[faults] full disk, " + what + ": " + e.code() + ": " + msg);
        assertTrue(!msg.contains("\tat ") && !msg.contains("\n\tat"), what + ": no stack trace in the message: " + msg);
        assertTrue(msg.toLowerCase().contains("full") || msg.toLowerCase().contains("no space"),
                what + ": the message says the disk is full: " + e.code() + " " + msg);
    }

    static void integrity(Path data) throws Exception {
        try (Stream<Path> s = Files.walk(data)) {
            for (Path db : s.filter(p -> p.toString().endsWith(".db")).toList()) {
                Process p = new ProcessBuilder("sqlite3", db.toString(), "PRAGMA integrity_check;").redirectErrorStream(true).start();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals("ok", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(),
                        "integrity_check of " + db);
            }
        }
    }

    @Test
    void writesFailClearlyReadsGoOnNothingIsLostAndWritesResumeWhenSpaceReturns() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small file system needs root");
        work = Files.createTempDirectory("cove-fulldisk");
        Path data = smallFs(work.resolve("data"), 8);
        assumeTrue(data != null, "neither tmpfs nor a loop-mounted ext4 image can be mounted here");
        Path dest = smallFs(work.resolve("dest"), 4);
        assumeTrue(dest != null, "cannot mount a second small file system for the copy destination");
        Path src = Files.createDirectories(work.resolve("src"));
        byte[] big = new byte[6 << 20];
        new Random(1).nextBytes(big);
        Files.write(src.resolve("big.bin"), big); // bigger than the 4 MiB destination
        Files.write(src.resolve("small.bin"), java.util.Arrays.copyOf(big, 1 << 20));

        Set<String> acknowledged = new TreeSet<>();
        Set<String> libraries = new TreeSet<>();
        String session;
        String pad = "x".repeat(4000);
        try (DaemonProcess d = DaemonProcess.start(data, "full")) {
            CoreClient c = d.client();
            session = c.call(new RegisterSession("full-app", "1", ProcessHandle.current().pid(), null, 0L, null)).sessionId();
            libraries.add(c.call(new CreateLibrary("before-full")).name());
            for (int i = 0; i < 20; i++) {
                c.call(new LogEvent(session, "before" + i, null, Map.of("pad", pad), null));
                acknowledged.add("before" + i);
            }
            Path filler = fill(data);
            // writes fail, clearly; keep writing until they do (free pages inside the files may take a few)
            RpcException writeError = null;
            for (int i = 0; i < 5000 && writeError == null; i++) {
                try {
                    c.call(new LogEvent(session, "full" + i, null, Map.of("pad", pad), null));
                    acknowledged.add("full" + i);
                } catch (RpcException e) {
                    writeError = e;
                }
            }
            assertNotNull(writeError, "a session write fails once the disk is full");
            assertClearError(writeError, "session write");
            try {
                for (int i = 0; i < 200; i++) {
                    libraries.add(c.call(new CreateLibrary("during-full-" + i)).name());
                }
                throw new AssertionError("200 libraries created on a full disk");
            } catch (RpcException e) {
                assertClearError(e, "library create");
            }
            // reads go on
            assertEquals(d.pid(), c.call(new Ping()).pid());
            Set<String> stored = c.call(new GetSession(session, 10_000)).events().stream().map(e -> e.name())
                    .collect(Collectors.toSet());
            assertTrue(stored.containsAll(acknowledged), "acknowledged events readable while full");
            assertTrue(c.call(new ListLibraries()).libraries().stream().map(LibraryInfo::name).collect(Collectors.toSet())
                    .containsAll(libraries));

            try {
                c.call(new CopyFiles(List.of(src.resolve("small.bin").toString()), dest.toString(), null));
                throw new AssertionError("a copy job was recorded on a full disk");
            } catch (RpcException e) {
                assertClearError(e, "copy (its job cannot be recorded)");
            }

            // space returns: writes work again, without a restart
            Files.delete(filler);
            Await.until(Duration.ofSeconds(30), () -> {
                try {
                    c.call(new LogEvent(session, "after", null, null, null));
                    return true;
                } catch (RpcException e) {
                    return false;
                }
            }, "a session write to succeed once space returns");
            acknowledged.add("after");
            libraries.add(c.call(new CreateLibrary("after-full")).name());
            // a copy onto a full destination fails as a job, leaving no partial file behind
            long job = c.call(new CopyFiles(List.of(src.resolve("big.bin").toString()), dest.toString(), null)).id();
            Await.until(Duration.ofSeconds(60), () -> c.call(new GetJob(job)).state().isFinished(), "the copy to end");
            JobInfo j = c.call(new GetJob(job));
            System.out.println("[faults] full disk, copy: " + j.state() + ": " + j.error());
            assertEquals(JobState.FAILED, j.state(), j::toString);
            assertTrue(j.error() != null && j.error().toLowerCase().contains("space"), "the job says why: " + j.error());
            try (Stream<Path> s = Files.list(dest)) {
                List<String> left = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("lost+found")).toList();
                assertEquals(List.of(), left, "no partial file under the final name, no temporary file left");
            }

            long job2 = c.call(new CopyFiles(List.of(src.resolve("small.bin").toString()), dest.toString(), null)).id();
            Await.until(Duration.ofSeconds(60), () -> c.call(new GetJob(job2)).state().isFinished(), "the copy to end");
            assertEquals(JobState.COMPLETED, c.call(new GetJob(job2)).state(), () -> c.call(new GetJob(job2)).toString());
            assertEquals(d.pid(), c.call(new Ping()).pid(), "the same daemon served throughout");
        }
        // nothing is corrupted, and every acknowledged write is there after a restart
        integrity(data);
        try (DaemonProcess d = DaemonProcess.start(data, "full")) {
            CoreClient c = d.client();
            Set<String> stored = c.call(new GetSession(session, 10_000)).events().stream().map(e -> e.name())
                    .collect(Collectors.toSet());
            List<String> lost = acknowledged.stream().filter(a -> !stored.contains(a)).toList();
            assertTrue(lost.isEmpty(), "acknowledged events lost: " + lost);
            assertTrue(c.call(new ListLibraries()).libraries().stream().map(LibraryInfo::name).collect(Collectors.toSet())
                    .containsAll(libraries));
        }
    }
}
