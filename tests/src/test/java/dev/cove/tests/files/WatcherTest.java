package dev.cove.tests.files;

import dev.cove.api.events.FilesChanged;
import dev.cove.api.events.LocationChanged;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.GetFileInfo;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.jobs.JobState;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.locations.ListLocations;
import dev.cove.api.locations.LocationAdded;
import dev.cove.api.locations.LocationState;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.tests.support.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file watcher keeps the index in step with the disk while the daemon runs. */
class WatcherTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    @TempDir
    Path tmp;
    FilesDaemon daemon;
    CoreClient client;
    String lib;
    Path root;

    @BeforeEach
    void start() throws Exception {
        root = tmp.resolve("watched");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/old.txt"), "old");
        daemon = FilesDaemon.start(tmp.resolve("data"));
        client = daemon.client();
        lib = client.call(new CreateLibrary("Watched")).id();
        LocationAdded a = client.call(new AddLocation(lib, root.toString()));
        assertEquals(JobState.COMPLETED, FilesDaemon.awaitJob(client, a.jobId(), WAIT).state());
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    FileEntry info(Path p) {
        try {
            return client.call(new GetFileInfo(lib, p.toString()));
        } catch (RpcException e) {
            return null;
        }
    }

    int count(String text) {
        return client.call(new SearchFiles(lib, text)).entries().size();
    }

    @Test
    void createModifyDeleteRenameAndNewFolders() throws Exception {
        try (EventStream events = client.subscribe(EventFilter.of("libraryId", lib), FilesChanged.class)) {
            Path f = root.resolve("fresh-note.md");
            Files.writeString(f, "hello");
            Await.until(WAIT, () -> info(f) != null, "created file indexed");
            assertEquals(5, info(f).size());

            Files.writeString(f, "hello, world");
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_000_000L));
            Await.until(WAIT, () -> info(f) != null && info(f).size() == 12
                    && info(f).modified().toEpochMilli() == 1_700_000_000_000L, "modification indexed");

            Path g = root.resolve("sub/renamed-note.md");
            Files.move(f, g);
            Await.until(WAIT, () -> info(f) == null && info(g) != null, "rename indexed");

            Files.delete(g);
            Await.until(WAIT, () -> info(g) == null, "delete indexed");

            Path deep = root.resolve("newdir/deeper");
            Files.createDirectories(deep);
            Files.writeString(deep.resolve("inside.txt"), "x");
            Await.until(WAIT, () -> info(deep.resolve("inside.txt")) != null, "file in a new folder indexed");
            // the new folder is watched too
            Files.writeString(deep.resolve("later.txt"), "y");
            Await.until(WAIT, () -> info(deep.resolve("later.txt")) != null, "file created later in the new folder");

            // a whole folder removed at once
            try (Stream<Path> w = Files.walk(root.resolve("newdir"))) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Await.until(WAIT, () -> count("deeper") == 0 && count("inside") == 0 && count("later") == 0,
                    "removed folder gone from the index");

            StreamItem item = events.poll(WAIT);
            assertTrue(item instanceof StreamItem.Delivered d && d.event() instanceof FilesChanged, "FilesChanged event: " + item);
        }
    }

    @Test
    void vanishedLocationGoesOfflineAndKeepsItsIndex() throws Exception {
        try (EventStream events = client.subscribe(EventFilter.of("libraryId", lib), LocationChanged.class)) {
            try (Stream<Path> w = Files.walk(root)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Await.until(WAIT, () -> client.call(new ListLocations(lib)).locations().get(0).state() == LocationState.OFFLINE,
                    "location offline");
            assertEquals(1, client.call(new ListLocations(lib)).locations().size(), "an offline location is not deleted");
            long deadline = System.nanoTime() + WAIT.toNanos();
            boolean seen = false;
            while (!seen && System.nanoTime() < deadline) {
                StreamItem i = events.poll(Duration.ofMillis(500));
                seen = i instanceof StreamItem.Delivered d && d.event() instanceof LocationChanged lc
                        && lc.state() == LocationState.OFFLINE;
            }
            assertTrue(seen, "LocationChanged OFFLINE event");
        }
    }
}
