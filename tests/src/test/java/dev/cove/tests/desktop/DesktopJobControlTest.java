package dev.cove.tests.desktop;

import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.files.CopyFiles;
import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobState;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.cove.tests.desktop.DesktopApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Pause, resume and cancel from the jobs panel, on a copy slowed down enough to catch it running. */
class DesktopJobControlTest extends FxRobot {
    @TempDir
    Path tmp;

    /** A daemon whose copies run at 1 MB/s (the daemon's cove.copy.maxBytesPerSecond, a JVM flag). */
    private static DaemonProcess slowDaemon(Path data) {
        String key = "cove.test.jvm";
        String before = System.getProperty(key);
        System.setProperty(key, (before == null ? "--enable-native-access=ALL-UNNAMED" : before)
                + " -Dcove.copy.maxBytesPerSecond=1000000");
        try {
            return DaemonProcess.start(data, "desk-jobs");
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    private static boolean row(TableView<?> jobs, long id, String text) {
        return DesktopApp.rowTexts(jobs).stream().anyMatch(r -> r.startsWith(id + " |") && r.contains(text));
    }

    @Test
    void pauseResumeAndCancelTheSelectedJob() throws IOException {
        Path src = Files.write(tmp.resolve("slow.bin"), new byte[64 * 1024 * 1024]);
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        try (DaemonProcess daemon = slowDaemon(tmp.resolve("data"));
             DesktopApp app = DesktopApp.open(daemon.paths())) {
            CoreClient client = daemon.client();
            JobInfo job = client.call(new CopyFiles(List.of(src.toString()), dest.toString(), null));
            TableView<?> jobs = app.node("#jobTable");
            await(() -> row(jobs, job.id(), "running"), () -> DesktopApp.rowTexts(jobs).toString(), "the copy running");

            clickOn(job.id() + "");
            clickOn("#pauseJobButton");
            await(() -> row(jobs, job.id(), "paused"), () -> DesktopApp.rowTexts(jobs).toString(), "the copy paused");
            assertEquals(JobState.PAUSED, client.call(new GetJob(job.id())).state(), "the daemon paused it");

            clickOn("#resumeJobButton");
            await(() -> row(jobs, job.id(), "running"), () -> DesktopApp.rowTexts(jobs).toString(), "the copy running again");

            clickOn("#cancelJobButton");
            await(() -> row(jobs, job.id(), "cancelled"), () -> DesktopApp.rowTexts(jobs).toString(), "the copy cancelled");
            assertEquals(JobState.CANCELLED, client.call(new GetJob(job.id())).state(), "the daemon cancelled it");
            Await.until(DesktopApp.TIMEOUT, () -> !Files.exists(dest.resolve("slow.bin")), "no copy left behind");
            try (var files = Files.list(dest)) {
                assertFalse(files.findAny().isPresent(), "the partial file is removed");
            }

            // a copy with a conflict policy says in its row what it did with each file
            Path small = Files.createDirectories(tmp.resolve("small"));
            Files.writeString(small.resolve("one.txt"), "1");
            Files.writeString(small.resolve("two.txt"), "22");
            Path there = Files.createDirectories(dest.resolve("small"));
            Files.writeString(there.resolve("one.txt"), "old");
            JobInfo skip = client.call(new CopyFiles(List.of(small.toString()), dest.toString(), ConflictPolicy.SKIP));
            await(() -> row(jobs, skip.id(), "copied 1 file (2 bytes): 1 skipped (already there)"),
                    () -> DesktopApp.rowTexts(jobs).toString(), "the copy's counts in its row");
            assertEquals("old", Files.readString(there.resolve("one.txt")), "skipped, not copied");
            assertEquals("22", Files.readString(there.resolve("two.txt")));
        }
    }
}
