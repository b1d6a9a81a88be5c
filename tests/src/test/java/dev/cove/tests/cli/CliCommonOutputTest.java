package dev.cove.tests.cli;

import dev.cove.cli.ExitCodes;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text, streams and exit statuses of the commands people run most (start, status, ping, search, ls,
 * --version) against a real daemon: in this JVM and as the process bin/cove runs, which print the same but for
 * the figures that change from one call to the next.
 */
class CliCommonOutputTest {
    @TempDir
    Path tmp;

    Cli cli;
    Path files;

    @BeforeEach
    void setUp() throws IOException {
        cli = Cli.under(tmp);
        files = tmp.resolve("files");
        for (int i = 0; i < 12; i++) {
            Path dir = Files.createDirectories(files.resolve("folder" + i % 3));
            Files.writeString(dir.resolve("report-" + i + (i % 2 == 0 ? ".txt" : ".jpg")), "x".repeat(i * 700));
        }
    }

    @AfterEach
    void tearDown() {
        cli.killDaemons();
    }

    /** What may differ between two calls: times taken, uptime, memory, threads, the client count. */
    private static String figuresOut(String s) {
        return s.replaceAll("\\(\\d+\\.\\d ms\\)", "(T ms)")
                .replaceAll("(?m)^(  (uptime|memory|threads|clients) +).*$", "$1X")
                .replaceAll("\\): [0-9.]+ ms$", "): T ms")
                .replaceAll("(?m)\\): [0-9.]+ ms\\n", "): T ms\n");
    }

    /** The command in this JVM and as a process: the same exit status, stdout (but for figures) and stderr. */
    private Result same(String... args) {
        Result here = cli.run(args);
        Result process = cli.runProcess(args);
        String what = "`cove " + String.join(" ", args) + "`\nin-process: " + here + "\nprocess: " + process;
        assertEquals(here.exit(), process.exit(), what);
        assertEquals(figuresOut(here.out()), figuresOut(process.out()), what);
        assertEquals(here.err(), process.err(), what);
        return process;
    }

    @Test
    void theCommonCommandsPrintTheirOutputAndExitStatus() {
        assertEquals(0, cli.run("start").exit());
        assertEquals(0, cli.run("library", "create", "Common").exit());
        assertEquals(0, cli.run("location", "add", "--wait", files.toString()).exit());

        Result status = same("status");
        assertTrue(status.out().startsWith("Cove daemon is running\n"), status.toString());
        assertTrue(Pattern.compile("(?m)^  uptime +\\S.* \\(since \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\\)$")
                .matcher(status.out()).find(), status.toString());
        Result ping = same("ping");
        assertTrue(ping.out().matches("pong from instance default \\(pid \\d+, Cove \\S+\\): [0-9.]+ ms\\n"), ping.toString());
        assertTrue(same("--version").out().startsWith("cove "), "--version");

        Result search = same("search", "report-3");
        assertTrue(search.out().contains("report-3.jpg") && Pattern.compile("(?m)^1 match \\(\\d+\\.\\d ms\\)$")
                .matcher(search.out()).find(), search.toString());
        same("search", "report");
        same("find", "REPORT-1");                      // the alias; any case
        Result page = same("search", "report", "-n", "3");
        assertTrue(page.out().contains("3 of 12 matches (") && page.out().contains("More: add --cursor "), page.toString());
        same("search", "--limit=2", "--library", "Common", "report");
        assertEquals("No matches\n", same("search", "no-such-name").out());
        Result all = same("search", "--all", "report");  // every match, one path a line, as locate prints
        assertEquals(12, all.out().lines().filter(l -> l.startsWith(files.toString())).count(), all.toString());
        assertEquals("", same("search", "--all", "no-such-name").out());
        same("ls", files.resolve("folder1").toString());
        same("ls", files.toString(), "-l", "Common");

        // the daemon's errors: a message on stderr, nothing on stdout, a status of their own
        for (String[] args : new String[][]{{"search", "-l", "nope", "report"}, {"search", "--all", "-l", "nope", "report"},
                {"ls", "/not/in/any/location"}}) {
            Result r = same(args);
            assertTrue(r.exit() != 0 && r.out().isEmpty() && !r.err().isEmpty(), r.toString());
        }
        Result json = cli.runProcess("--json", "search", "report-11");
        assertEquals(0, json.exit(), json.toString());
        assertTrue(json.out().contains("\"name\" : \"report-11.jpg\""), json.toString());
    }

    @Test
    void startSaysWhatItDid() {
        Result started = cli.runProcess("start");
        assertEquals(0, started.exit(), started.toString());
        assertTrue(started.out().startsWith("Cove daemon started (instance default, pid "), started.toString());
        Result again = same("start");
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().startsWith("Cove daemon already running (instance default, pid "), again.toString());
        assertEquals(0, cli.run("shutdown").exit());
        Result other = cli.runProcess("--instance", "other", "start");
        assertEquals(0, other.exit(), other.toString());
        assertTrue(other.out().startsWith("Cove daemon started (instance other, pid "), other.toString());
        assertEquals(0, cli.run("--instance", "other", "shutdown").exit()); // not left to killDaemons
    }

    @Test
    void aDaemonThatFailsToStartIsReported() {
        Cli broken = cli.withEnv("COVE_DAEMON_MAIN", "dev.cove.NoSuchDaemonMain");
        Result r = broken.runProcess("start");
        assertEquals(ExitCodes.START_FAILED, r.exit(), r.toString());
        assertTrue(r.err().contains("exited with status 1 before it answered"), r.toString());
        assertEquals(ExitCodes.START_FAILED, broken.run("start").exit());
    }

    @Test
    void noDaemonIsExitThreeWithHowToStartOne() {
        for (String[] args : new String[][]{{"--instance", "other", "status"}, {"--instance", "other", "ping"},
                {"--instance", "other", "search", "-l", "x", "y"}}) {
            Result r = same(args);
            assertEquals(ExitCodes.UNAVAILABLE, r.exit(), r.toString());
            assertTrue(r.err().contains("Start one with `cove"), r.toString());
            assertEquals("", r.out());
        }
    }
}
