package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library, location, search, file and job commands, run in-process against a real daemon process whose
 * XDG_DATA_HOME (where the trash goes) is in the test's folder, on real files.
 */
class CliFilesTest {
    @TempDir
    Path tmp;

    Cli cli;
    Process daemon;
    Path files;
    Path xdgData;

    @BeforeEach
    void setUp() throws IOException {
        xdgData = Files.createDirectories(tmp.resolve("xdg-data"));
        cli = Cli.under(tmp);
        files = tmp.resolve("files");
        Random r = new Random(42);
        for (int i = 0; i < 40; i++) {
            Path dir = files.resolve("folder" + i % 4);
            Files.createDirectories(dir);
            byte[] data = new byte[r.nextInt(5000)];
            r.nextBytes(data);
            Files.write(dir.resolve("file-" + i + (i % 2 == 0 ? ".txt" : ".jpg")), data);
        }
        byte[] needle = new byte[3 * 1024 * 1024 + 17];
        r.nextBytes(needle);
        Files.write(files.resolve("folder1").resolve("Needle Report.pdf"), needle);
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            Reaper.kill(daemon.toHandle());
        }
        cli.killDaemons();
    }

    /** A daemon process for the default instance of the CLI's data folder, with its own XDG_DATA_HOME. */
    private void startDaemon(String... jvmProps) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Jvm.java());
        cmd.addAll(Jvm.flags());
        cmd.addAll(List.of(jvmProps));
        cmd.addAll(List.of("-cp", Jvm.daemonClasspath(), Jvm.DAEMON_MAIN, "--data-dir", cli.dataDir().toString()));
        Files.createDirectories(cli.dataDir());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(tmp.resolve("daemon.stdout").toFile())
                .redirectError(tmp.resolve("daemon.stderr").toFile());
        pb.environment().put("XDG_DATA_HOME", xdgData.toString());
        daemon = pb.start();
        Reaper.register(daemon.toHandle());
        Cli.await(Duration.ofSeconds(40), () -> !daemon.isAlive() || cli.run("ping").exit() == 0, "the daemon to answer");
        assertTrue(daemon.isAlive(), "the daemon exited with " + (daemon.isAlive() ? "" : daemon.exitValue()));
    }

    @Test
    void libraryLocationSearchCopyDeleteAndJobs() throws Exception {
        startDaemon();
        Path needle = files.resolve("folder1").resolve("Needle Report.pdf");

        assertOk(cli.run("library", "create", "Photos", "--no-use"));
        Result noDefault = cli.run("search", "needle");
        assertEquals(2, noDefault.exit(), noDefault::toString);
        assertTrue(noDefault.err().contains("cove") && noDefault.err().contains("library use"), noDefault::toString);

        Result use = assertOk(cli.run("library", "use", "photos"));
        assertTrue(use.out().contains("Default library: Photos"), use::toString);
        assertTrue(Files.readString(tmp.resolve("xdg-config/cove/cli.properties")).contains("library.default"),
                "the default is kept in the CLI's own config file");
        Result list = assertOk(cli.run("library", "list"));
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("*") && l.contains("Photos")), list::toString);

        Result add = assertOk(cli.run("location", "add", files.toString(), "--wait"));
        assertTrue(add.out().contains("Added location") && add.out().contains("100%"), add::toString);
        assertTrue(add.out().contains("completed"), add::toString);

        Result search = assertOk(cli.run("search", "needle"));
        assertTrue(search.out().contains("Needle Report.pdf") && search.out().contains(needle.toString()), search::toString);
        assertTrue(search.out().contains("3.0 MiB"), search::toString);
        Result filtered = assertOk(cli.run("search", "--kind", "document", "--min-size", "1M", "--since", "1d", "--json"));
        JsonNode entries = Json.MAPPER.readTree(filtered.out()).path("entries");
        assertEquals(1, entries.size(), filtered::toString);
        assertEquals(needle.toString(), entries.get(0).path("path").asText());
        Result paged = assertOk(cli.run("search", "file-", "--ext", "txt", "--limit", "5", "--sort", "size"));
        assertTrue(paged.out().contains("--cursor "), "a next-page cursor: " + paged);

        Result ls = assertOk(cli.run("ls", files.resolve("folder1").toString()));
        assertTrue(ls.out().contains("Needle Report.pdf"), ls::toString);
        Result info = assertOk(cli.run("info", needle.toString()));
        assertTrue(info.out().contains("document") && info.out().contains(Long.toString(Files.size(needle))), info::toString);

        // copy outside the location, with a progress bar that reaches 100%
        Path out = Files.createDirectories(tmp.resolve("out"));
        Result cp = assertOk(cli.run("cp", needle.toString(), out.toString()));
        assertTrue(cp.out().contains("100%") && cp.out().contains("completed"), cp::toString);
        Path copy = out.resolve("Needle Report.pdf");
        assertEquals(-1, Files.mismatch(needle, copy), "the copy has the same bytes");
        assertEquals(Files.getLastModifiedTime(needle), Files.getLastModifiedTime(copy));

        Result conflict = cli.run("cp", needle.toString(), out.toString());
        assertEquals(1, conflict.exit(), "the default policy refuses to overwrite: " + conflict);
        assertOk(cli.run("cp", needle.toString(), out.toString(), "--conflict", "keep-both"));
        assertTrue(Files.exists(out.resolve("Needle Report (2).pdf")));

        Result outside = cli.run("rm", copy.toString());
        assertEquals(1, outside.exit(), "rm acts only inside the libraries' locations: " + outside);
        assertTrue(outside.err().contains("cove location add"), outside::toString);
        assertTrue(Files.exists(copy));
        Result json = assertOk(cli.run("--json", "rm", needle.toString()));
        List<JsonNode> updates = json.out().lines().map(CliFilesTest::tree).toList();
        assertEquals("COMPLETED", updates.get(updates.size() - 1).path("state").asText(), json::toString);
        assertFalse(Files.exists(needle));
        assertTrue(Files.exists(xdgData.resolve("Trash/files/Needle Report.pdf")), "moved to the test's trash");
        assertTrue(Files.exists(xdgData.resolve("Trash/info/Needle Report.pdf.trashinfo")));

        Result jobs = assertOk(cli.run("jobs", "list"));
        for (String kind : List.of("index", "copy", "delete")) {
            assertTrue(jobs.out().lines().anyMatch(l -> l.contains(kind) && l.contains("completed")), kind + ": " + jobs);
        }
        long copyJob = Json.MAPPER.readTree(assertOk(cli.run("jobs", "list", "--json")).out()).path("jobs")
                .findValues("kind").size();
        assertTrue(copyJob >= 4, "index, copy, copy, delete");

        Path renameMe = files.resolve("folder2").resolve("file-2.txt");
        Result detached = assertOk(cli.run("rename", renameMe.toString(), "renamed.txt", "--detach"));
        assertTrue(detached.out().matches("\\d+\n"), "the job id alone on stdout: " + detached);
        assertTrue(detached.err().startsWith("Started job " + detached.out().strip() + ": "), detached::toString);
        Cli.await(Duration.ofSeconds(20), () -> Files.exists(renameMe.resolveSibling("renamed.txt")), "the detached rename");

        Result dupes = assertOk(cli.run("duplicates", "--min-size", "1k"));
        assertTrue(dupes.out().contains("No duplicates") || dupes.out().contains("copies of"), dupes::toString);
    }

    @Test
    void badInputGetsTheDocumentedExitCodes() throws Exception {
        startDaemon();
        assertOk(cli.run("library", "create", "Photos"));

        Result kind = cli.run("search", "x", "--kind", "spreadsheet");
        assertEquals(2, kind.exit(), kind::toString);
        assertTrue(kind.err().contains("spreadsheet"), kind::toString);
        Result size = cli.run("search", "x", "--min-size", "ten");
        assertEquals(2, size.exit(), size::toString);
        Result conflict = cli.run("cp", "/a", "/b", "--conflict", "maybe");
        assertEquals(2, conflict.exit(), conflict::toString);

        Result unknown = cli.run("search", "x", "--library", "Nope");
        assertEquals(1, unknown.exit(), unknown::toString);
        assertTrue(unknown.err().contains("Nope") && unknown.err().contains("cove library list"), unknown::toString);

        Result missing = cli.run("location", "add", tmp.resolve("does-not-exist").toString(), "--wait");
        assertEquals(1, missing.exit(), missing::toString);
        Result noJob = cli.run("jobs", "show", "999");
        assertEquals(1, noJob.exit(), noJob::toString);
    }

    @Test
    void ctrlCCancelsACopyAndLeavesNothingUnderTheFinalName() throws Exception {
        startDaemon("-Dcove.copy.maxBytesPerSecond=" + 2 * 1024 * 1024);
        Path big = tmp.resolve("big.bin");
        byte[] chunk = new byte[1024 * 1024];
        new Random(1).nextBytes(chunk);
        try (var o = Files.newOutputStream(big)) {
            for (int i = 0; i < 40; i++) {
                o.write(chunk);
            }
        }
        Path out = Files.createDirectories(tmp.resolve("out"));
        // a CLI process of its own, sent SIGINT as a terminal's Ctrl-C would: the test JVM's own signal handling
        // (shared with everything else these tests load) stays out of it
        Assumptions.assumeTrue(Cli.canRestoreCtrlC(), "needs `env --default-signal` (GNU coreutils 8.31+) to give "
                + "the CLI a Ctrl-C when the tests run where SIGINT is ignored");
        Process cp = cli.spawnWithCtrlC("cp", big.toString(), out.toString());
        // a progress line with bytes copied means the job runs and the CLI's Ctrl-C handler is in place
        Cli.await(Duration.ofSeconds(30), () -> !cp.isAlive() || cli.output(cp).out().contains("MiB/s"), "copy progress");
        assertTrue(cp.isAlive(), () -> "the copy ended early: " + cli.output(cp));
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(cp.pid())).start().waitFor());
        assertTrue(cp.waitFor(30, TimeUnit.SECONDS), () -> "the CLI ended after Ctrl-C: " + cli.output(cp));
        Result r = cli.output(cp);
        assertEquals(130, r.exit(), r::toString);
        assertTrue(r.out().contains("Cancelled job") && r.out().contains("nothing was left under the final name"),
                r::toString);
        assertFalse(Files.exists(out.resolve("big.bin")));
        try (var left = Files.list(out)) {
            assertEquals(List.of(), left.toList(), "no partial file either");
        }
        Result jobs = assertOk(cli.run("jobs", "list"));
        assertTrue(jobs.out().lines().anyMatch(l -> l.contains("copy") && l.contains("cancelled")), jobs::toString);
    }

    private static JsonNode tree(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    static Result assertOk(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }
}
