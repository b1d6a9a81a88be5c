package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import dev.cove.tests.support.Jvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A location with more folders than the watches the daemon may use: the daemon is started with its watch
 * ceiling lowered to 5 folders ({@code -Dcove.watch.maxFolders}, standing in for a low
 * {@code fs.inotify.max_user_watches}, which a test cannot lower for one process). The location says it is
 * partly watched and how many folders are not, the log names the sysctl and by how much to raise it,
 * {@code cove doctor} flags it with the fix, and files created in unwatched folders still become searchable
 * through the periodic rescans.
 */
class WatchLimitTest {
    static final int FOLDERS = 20;
    @TempDir
    Path tmp;
    Cli cli;

    @AfterEach
    void tearDown() {
        if (cli != null) {
            cli.killDaemons();
        }
    }

    static Result ok(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    @Test
    void aLocationBeyondTheWatchLimitIsPartlyWatchedSaysSoAndStaysFresh() throws IOException {
        Path tree = tmp.resolve("tree");
        for (int i = 0; i < FOLDERS; i++) {
            Files.createDirectories(tree.resolve("folder-" + i));
            Files.writeString(tree.resolve("folder-" + i).resolve("old-" + i + ".txt"), "x");
        }
        int unwatched = FOLDERS + 1 - 5; // the root and 20 folders, 5 of them watched
        cli = Cli.under(tmp)
                .withEnv("COVE_JAVA_OPTS", String.join(" ", Jvm.flags()) + " -Dcove.watch.maxFolders=5 -Dcove.watch.rescanSeconds=1");
        ok(cli.run("start"));
        ok(cli.run("library", "create", "Watched"));
        ok(cli.run("location", "add", tree.toString(), "--wait"));

        Result list = ok(cli.run("location", "list"));
        assertTrue(list.out().contains("partly watched (" + unwatched + " folders unwatched)"), list::toString);
        JsonNode loc = Json.MAPPER.readTree(ok(cli.run("--json", "location", "list")).out()).path("locations").get(0);
        assertEquals(unwatched, loc.path("unwatchedFolders").asLong(), loc::toString);
        assertTrue(loc.path("watching").asBoolean(), loc::toString);

        Path log = cli.paths("default").logFile();
        Cli.await(Duration.ofSeconds(20), () -> read(log).contains("partly watched"), "the warning in " + log);
        String warning = read(log).lines().filter(l -> l.contains("partly watched")).findFirst().orElseThrow();
        assertTrue(warning.contains("fs.inotify.max_user_watches") && warning.contains("by at least " + unwatched)
                && warning.contains("sudo sysctl fs.inotify.max_user_watches="), warning);

        Result doctor = cli.run("doctor", "--lines", "0");
        assertEquals(1, doctor.exit(), "a partly watched location needs attention: " + doctor);
        assertTrue(doctor.out().contains("partly watched") && doctor.out().contains(unwatched + " folders unwatched")
                && doctor.out().contains("fix: sudo sysctl fs.inotify.max_user_watches="), doctor::toString);

        // new files in every folder, watched or not: the periodic rescans bring in the unwatched ones
        for (int i = 0; i < FOLDERS; i++) {
            Files.writeString(tree.resolve("folder-" + i).resolve("fresh-" + i + ".txt"), "y");
        }
        Cli.await(Duration.ofSeconds(60), () -> {
            Result r = cli.run("search", "fresh-", "--all");
            return r.exit() == 0 && r.out().lines().count() == FOLDERS;
        }, "all " + FOLDERS + " new files to be searchable");
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
