package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every daemon start rescans every location; one that found nothing changed added a "(start-up)" job per location
 * to `jobs list` at every start (issue 19). Now only a start-up rescan that changed the index is listed.
 */
class StartUpRescanTest {
    @TempDir
    Path tmp;

    Cli cli;

    @BeforeEach
    void setUp() {
        cli = Cli.under(tmp);
    }

    @AfterEach
    void tearDown() {
        cli.killDaemons();
    }

    @Test
    void aStartUpRescanThatChangedNothingIsNotListed() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(a.resolve("one.txt"), "1");
        Files.writeString(b.resolve("two.txt"), "2");
        assertOk(cli.run("start"));
        assertOk(cli.run("library", "create", "Docs"));
        assertOk(cli.run("location", "add", a.toString(), "--wait"));
        assertOk(cli.run("location", "add", b.toString(), "--wait"));
        assertEquals(List.of("index " + a + " (new location)", "index " + b + " (new location)"), indexJobs());

        restartAndAwaitRescans();
        assertEquals(List.of("index " + a + " (new location)", "index " + b + " (new location)"), indexJobs(),
                "nothing changed while the daemon was down: no start-up job listed");

        Files.writeString(b.resolve("three.txt"), "3"); // while the daemon is down
        restartAndAwaitRescans();
        List<String> jobs = indexJobs();
        assertEquals(3, jobs.size(), jobs::toString);
        assertEquals("index " + b + " (start-up)", jobs.get(2), "the rescan that found a new file is listed");
    }

    /** Stops the daemon, starts it, and waits until its start-up rescans have ended (both scanned after the start). */
    private void restartAndAwaitRescans() throws IOException {
        assertOk(cli.run("shutdown"));
        long before = System.currentTimeMillis();
        assertOk(cli.run("start"));
        Cli.await(Duration.ofSeconds(60), () -> {
            try {
                JsonNode locs = Json.MAPPER.readTree(cli.run("location", "list", "--json").out()).path("locations");
                for (JsonNode l : locs) {
                    if (l.path("state").asText().equals("INDEXING") || java.time.Instant.parse(
                            l.path("lastScanAt").asText()).toEpochMilli() < before) {
                        return false;
                    }
                }
                return locs.size() == 2;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }, "the start-up rescans");
        // the job ends just after the location's scan is recorded: wait for no index job to run
        Cli.await(Duration.ofSeconds(30), () -> !assertOk(cli.run("jobs", "list")).out().contains("running"),
                "no running job");
    }

    /** The index jobs' descriptions, oldest first. */
    private List<String> indexJobs() throws IOException {
        JsonNode jobs = Json.MAPPER.readTree(assertOk(cli.run("jobs", "list", "--json")).out()).path("jobs");
        List<String> out = new ArrayList<>();
        for (JsonNode j : jobs) {
            if (j.path("kind").asText().equals("INDEX")) {
                out.add(0, j.path("description").asText()); // listed newest first
            }
        }
        return out;
    }

    private static Result assertOk(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }
}
