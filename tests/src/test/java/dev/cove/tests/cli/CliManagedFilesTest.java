package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.Cove;
import dev.cove.api.files.DeleteFiles;
import dev.cove.api.files.MoveFiles;
import dev.cove.api.files.RenameFile;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.Request;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rm, mv and rename act only on what Cove manages (files inside a location of one of the instance's
 * libraries), rm --permanent asks first, and --detach prints the job's id alone: the CLI as a real process
 * (stdin not a terminal) and on a pseudo-terminal, against a real daemon and real files.
 */
class CliManagedFilesTest {
    @TempDir
    Path tmp;

    Cli cli;
    Process daemon;
    Path library;
    Path outside;
    Path precious;

    @BeforeEach
    void setUp() throws IOException {
        cli = Cli.under(tmp);
        library = Files.createDirectories(tmp.resolve("library"));
        Files.writeString(library.resolve("a.txt"), "a");
        Files.writeString(Files.createDirectories(library.resolve("sub")).resolve("b.txt"), "b");
        outside = Files.createDirectories(tmp.resolve("outside"));
        precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        // a link inside the location that leads out of it
        Files.createSymbolicLink(library.resolve("escape"), outside);
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            Reaper.kill(daemon.toHandle());
        }
        cli.killDaemons();
    }

    /** A daemon for the CLI's data folder (trash in the test's folder), a library and its one location. */
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
        pb.environment().put("XDG_DATA_HOME", Files.createDirectories(tmp.resolve("xdg-data")).toString());
        daemon = pb.start();
        Reaper.register(daemon.toHandle());
        Cli.await(Duration.ofSeconds(40), () -> !daemon.isAlive() || cli.run("ping").exit() == 0, "the daemon to answer");
        assertTrue(daemon.isAlive(), "the daemon exited with " + (daemon.isAlive() ? "" : daemon.exitValue()));
        ok(cli.run("library", "create", "Lib"));
        ok(cli.run("location", "add", library.toString(), "--wait"));
    }

    @Test
    void rmMvAndRenameRefuseWhatNoLibraryHolds() throws Exception {
        startDaemon();
        String p = precious.toString();
        String viaLink = library.resolve("escape/precious.txt").toString();
        for (String[] args : List.of(
                new String[]{"rm", "--permanent", "--yes", p},
                new String[]{"rm", p},
                new String[]{"rm", "--permanent", "--yes", viaLink},
                new String[]{"mv", p, library.toString()},
                new String[]{"mv", viaLink, library.toString()},
                new String[]{"rename", p, "renamed.txt"},
                new String[]{"rename", viaLink, "renamed.txt"})) {
            Result r = cli.runProcess(args);
            String what = String.join(" ", args) + ": " + r;
            assertEquals(1, r.exit(), what);
            assertTrue(r.err().contains("is not inside any location"), what);
            assertTrue(r.err().contains(library.toRealPath() + " (library Lib)"), "names the locations: " + what);
            assertTrue(r.err().contains("cove location add"), "gives the fix: " + what);
            assertEquals("keep me", Files.readString(precious), "untouched after " + what);
            assertEquals(List.of("precious.txt"), names(outside), what);
        }
        assertFalse(Files.exists(library.resolve("precious.txt")));
        assertFalse(Files.exists(xdgTrash().resolve("files/precious.txt")));

        // the rule is the daemon's, so every client meets it, with a stable code and reason
        try (CoreClient c = Cove.client(cli.paths("default")).timeout(Duration.ofSeconds(30)).build()) {
            for (Request<?> r : List.<Request<?>>of(new DeleteFiles(List.of(p), true),
                    new MoveFiles(List.of(p), library.toString(), null), new RenameFile(p, "x.txt"))) {
                RpcException e = assertThrows(RpcException.class, () -> c.call(r), r::toString);
                assertEquals(ErrorCode.INVALID_INPUT, e.code(), e::toString);
                assertEquals("outside_libraries", e.details().get("reason"), e.details()::toString);
                assertEquals(Map.of("Lib", List.of(library.toRealPath().toString())), e.details().get("locations"));
            }
        }
        assertEquals("keep me", Files.readString(precious));

        // inside a location they work, and a copy may still bring a file in from anywhere
        ok(cli.runProcess("mv", library.resolve("a.txt").toString(), library.resolve("sub").toString()));
        assertTrue(Files.exists(library.resolve("sub/a.txt")));
        ok(cli.runProcess("rename", library.resolve("sub/a.txt").toString(), "c.txt"));
        assertTrue(Files.exists(library.resolve("sub/c.txt")));
        ok(cli.runProcess("cp", p, library.toString()));
        assertEquals("keep me", Files.readString(library.resolve("precious.txt")));
        ok(cli.runProcess("rm", "--permanent", "--yes", library.resolve("precious.txt").toString()));
        assertFalse(Files.exists(library.resolve("precious.txt")));
        assertEquals("keep me", Files.readString(precious));
    }

    @Test
    void permanentDeleteAsksOnATerminalAndWantsYesElsewhere() throws Exception {
        startDaemon();
        Path a = library.resolve("a.txt");

        Result noTerminal = cli.runProcess("rm", "--permanent", a.toString());
        assertEquals(2, noTerminal.exit(), noTerminal::toString);
        assertTrue(noTerminal.err().contains("is not one here") && noTerminal.err().contains("--yes"), noTerminal::toString);
        assertTrue(Files.exists(a), "nothing deleted without --yes");

        Result no = cli.runInTerminal("n", "rm", "--permanent", a.toString());
        assertTrue(no.out().contains("Delete " + a + " for good? This cannot be undone. [y/N]"), no::toString);
        assertTrue(no.out().contains("Nothing deleted"), no::toString);
        assertEquals(1, no.exit(), no::toString);
        assertTrue(Files.exists(a), "answered no");

        Result yes = cli.runInTerminal("y", "rm", "--permanent", a.toString());
        assertEquals(0, yes.exit(), yes::toString);
        assertTrue(yes.out().contains("completed"), yes::toString);
        assertFalse(Files.exists(a), "answered yes");
        assertFalse(Files.exists(xdgTrash().resolve("files/a.txt")), "deleted for good, not trashed");

        // moving to the trash can be undone, so it does not ask
        Path b = library.resolve("sub/b.txt");
        ok(cli.runProcess("rm", b.toString()));
        assertFalse(Files.exists(b));
        assertEquals("b", Files.readString(xdgTrash().resolve("files/b.txt")));

        // library delete asks through the same code
        Result dropIndex = cli.runProcess("library", "delete", "Lib");
        assertEquals(2, dropIndex.exit(), dropIndex::toString);
        assertTrue(dropIndex.err().contains("drops its index") && dropIndex.err().contains("add --yes"), dropIndex::toString);
        Result refused = cli.runInTerminal("n", "library", "delete", "Lib");
        assertTrue(refused.out().contains("Delete library Lib and its index") && refused.out().contains("Nothing deleted"),
                refused::toString);
        ok(cli.runProcess("library", "show", "Lib"));
    }

    @Test
    void detachPrintsTheIdAloneForTheNextCommand() throws Exception {
        startDaemon("-Dcove.copy.maxBytesPerSecond=" + (4L << 20));
        // sparse: a copy that lasts minutes at 4 MiB/s, yet takes no disk until copied
        Path big = library.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        Path dest = Files.createDirectories(tmp.resolve("dest"));

        Result started = ok(cli.runProcess("cp", big.toString(), dest.toString(), "--detach"));
        assertTrue(started.out().matches("\\d+\n"), "stdout is the job id alone: " + started);
        String id = started.out().strip();
        assertTrue(started.err().startsWith("Started job " + id + ": copy "), started::toString);

        ok(cli.runProcess("jobs", "pause", id)); // j=$(cove cp ... --detach); cove jobs pause $j
        JsonNode job = Json.MAPPER.readTree(ok(cli.runProcess("--json", "jobs", "show", id)).out());
        assertEquals("PAUSED", job.path("state").asText(), job::toString);
        ok(cli.runProcess("jobs", "cancel", id));
        Cli.await(Duration.ofSeconds(30), () -> names(dest).isEmpty(), "the cancelled copy to leave nothing behind");
    }

    @Test
    void cpConflictSkipSaysWhatItSkipped() throws Exception {
        startDaemon();
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        Files.writeString(dest.resolve("a.txt"), "old a");
        Files.writeString(dest.resolve("b.txt"), "old b");
        Files.writeString(library.resolve("b.txt"), "new b");
        Files.writeString(library.resolve("c.txt"), "new c!");
        List<String> sources = List.of("a.txt", "b.txt", "c.txt").stream().map(n -> library.resolve(n).toString()).toList();

        List<String> args = new ArrayList<>(List.of("cp", "--conflict", "skip"));
        args.addAll(sources);
        args.add(dest.toString());
        Result text = ok(cli.runProcess(args.toArray(String[]::new)));
        assertTrue(text.out().contains("completed") && text.out().contains(": copied 1 file (6 bytes): 2 skipped (already there)"),
                text::toString);
        assertEquals("old a", Files.readString(dest.resolve("a.txt")));
        assertEquals("old b", Files.readString(dest.resolve("b.txt")));
        assertEquals("new c!", Files.readString(dest.resolve("c.txt")));

        args.set(2, "keep-both");
        args.add(0, "--json");
        List<String> lines = ok(cli.runProcess(args.toArray(String[]::new))).out().lines().toList();
        JsonNode last = Json.MAPPER.readTree(lines.get(lines.size() - 1));
        assertEquals("COMPLETED", last.path("state").asText(), last::toString);
        assertEquals(0, last.path("counts").path("copied").asLong(), last::toString);
        assertEquals(0, last.path("counts").path("skipped").asLong());
        assertEquals(3, last.path("counts").path("renamed").asLong());
        assertEquals(List.of("a (2).txt", "a.txt", "b (2).txt", "b.txt", "c (2).txt", "c.txt"), names(dest));

        JsonNode job = Json.MAPPER.readTree(ok(cli.runProcess("--json", "jobs", "show", last.path("jobId").asText())).out());
        assertEquals(3, job.path("counts").path("renamed").asLong(), job::toString);
    }

    private Path xdgTrash() {
        return tmp.resolve("xdg-data/Trash");
    }

    private static List<String> names(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }
}
