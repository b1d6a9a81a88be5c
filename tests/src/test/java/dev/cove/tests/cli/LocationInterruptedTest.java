package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.cli.CliContext;
import dev.cove.cli.CoveCli;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C on {@code location add --wait} cancels the indexing and leaves the location added: it used to stay
 * "online" with part of its entries and no word of it anywhere (issue 19). Now the CLI says so and how to finish or
 * undo it, and location list and doctor show it partly indexed until a complete scan.
 */
class LocationInterruptedTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    Cli cli;
    Process adding;

    @BeforeEach
    void setUp() {
        cli = Cli.under(tmp);
    }

    @AfterEach
    void tearDown() {
        if (adding != null) {
            adding.destroyForcibly();
        }
        cli.killDaemons();
    }

    @Test
    void ctrlCOnLocationAddWaitLeavesItPartlyIndexedAndSaysSo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Cli.canRestoreCtrlC(), "env --default-signal is missing (coreutils < 8.31)");
        Path tree = tree(tmp.resolve("big"), 300, 200); // 60,000 files: seconds of indexing, so there is time to interrupt
        assertOk(cli.run("start"));
        assertOk(cli.run("library", "create", "Big"));

        adding = cli.spawnInOwnGroup("location", "add", tree.toString(), "--wait");
        // the CLI prints its first progress line once it follows the job, with its Ctrl-C handler in place
        Cli.await(WAIT, () -> !adding.isAlive() || cli.output(adding).out().contains(" entries") && indexing(),
                "the CLI to follow the running index job");
        assertTrue(adding.isAlive(), "location add ended before it could be interrupted: " + cli.output(adding));
        Process kill = new ProcessBuilder("kill", "-s", "INT", "--", "-" + adding.pid()).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertTrue(adding.waitFor(60, TimeUnit.SECONDS), cli.output(adding).toString());
        Result added = cli.output(adding);
        assertEquals(130, added.exit(), added::toString);
        assertTrue(added.out().contains("The location stays added, partly indexed."), added::toString);
        assertTrue(added.out().contains("location rescan 1` completes it"), added::toString);
        assertTrue(added.out().contains("location remove 1` removes the location"), added::toString);

        Result list = assertOk(cli.run("location", "list"));
        assertTrue(list.out().contains("online, partly indexed"), list::toString);
        JsonNode loc = Json.MAPPER.readTree(assertOk(cli.run("location", "list", "--json")).out()).path("locations").get(0);
        assertTrue(loc.path("partlyIndexed").asBoolean(), loc::toString);
        assertTrue(loc.path("entries").asLong() < 60_000, "cut short: " + loc);

        Result doctor = cli.run("doctor");
        assertTrue(doctor.out().contains("is partly indexed"), doctor::toString);
        assertEquals(1, doctor.exit(), "a warning: " + doctor);

        assertOk(cli.run("location", "rescan", "1", "--wait"));
        JsonNode after = Json.MAPPER.readTree(assertOk(cli.run("location", "list", "--json")).out()).path("locations").get(0);
        assertFalse(after.path("partlyIndexed").asBoolean(), "a complete scan clears it: " + after);
        assertEquals(60_000 + 300 + 1, after.path("entries").asLong(), "every file and folder, and the root: " + after);
        assertFalse(assertOk(cli.run("location", "list")).out().contains("partly indexed"));
    }

    /**
     * Ctrl-C is the command's before the job exists: pressed while the job starts (before its id is known), it
     * cancels the job once the id comes back. It used to be taken only once the job ran, so a Ctrl-C in between
     * stopped the CLI and left the job running.
     */
    @Test
    void ctrlCWhileTheJobStartsCancelsItOnceItsIdIsKnown() throws Exception {
        Path tree = tree(tmp.resolve("big"), 300, 200);
        assertOk(cli.run("start"));
        assertOk(cli.run("library", "create", "Big"));
        List<Boolean> noJobYetAtRegistration = new ArrayList<>();
        CliContext.Interrupts pressedAtOnce = action -> {
            noJobYetAtRegistration.add(!assertOk(cli.run("jobs", "list", "--json")).out().contains("\"INDEX\""));
            action.run(); // Ctrl-C before the job is started
            return () -> {
            };
        };
        CliContext context = new CliContext(tmp, cli.env(), InputStream.nullInputStream(), null, null, false, false,
                0, pressedAtOnce);
        CommandLine cmd = CoveCli.commandLine(context, null);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        int exit = cmd.execute("--data-dir", cli.dataDir().toString(), "location", "add", "big", "--wait");
        assertEquals(List.of(true), noJobYetAtRegistration, "Ctrl-C is taken before the job starts");
        assertEquals(130, exit, out + "\n" + err);
        assertTrue(out.toString().contains("Cancelled job"), out + "\n" + err);
        JsonNode job = Json.MAPPER.readTree(assertOk(cli.run("jobs", "list", "--json")).out()).path("jobs").get(0);
        assertEquals("CANCELLED", job.path("state").asText(), job::toString);
        assertTrue(job.path("description").asText().contains(tree.toString()), "the relative path is from the "
                + "run's folder: " + job);
    }

    private boolean indexing() {
        try {
            JsonNode jobs = Json.MAPPER.readTree(cli.run("jobs", "list", "--json").out()).path("jobs");
            for (JsonNode j : jobs) {
                if (j.path("kind").asText().equals("INDEX") && j.path("state").asText().equals("RUNNING")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path tree(Path root, int folders, int files) throws IOException {
        for (int d = 0; d < folders; d++) {
            Path dir = Files.createDirectories(root.resolve("d" + d));
            for (int f = 0; f < files; f++) {
                Files.createFile(dir.resolve("f" + f + ".txt"));
            }
        }
        return root;
    }

    private static Result assertOk(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }
}
