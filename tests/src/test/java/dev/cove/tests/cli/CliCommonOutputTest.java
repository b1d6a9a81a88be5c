package dev.cove.tests.cli;

import dev.cove.cli.QuickLane;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quick lane (status, ping, search, ls and --version without picocli, databind or CoreClient) against a
 * real daemon: it prints what the full CLI prints for the same command, byte for byte but for the figures
 * that change from one call to the next, and it leaves every other form to the full CLI having printed
 * nothing.
 */
class CliQuickLaneTest {
    @TempDir
    Path tmp;

    Cli cli;
    Path files;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp.resolve("data")).withEnv("XDG_CONFIG_HOME", tmp.resolve("xdg-config").toString());
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

    private void assertSame(String... args) {
        Result quick = cli.runQuick(args);
        Result full = cli.run(args);
        assertTrue(quick.exit() != QuickLane.NOT_HANDLED, "the quick lane should run `cove " + String.join(" ", args)
                + "`:\n" + quick);
        assertEquals(full.exit(), quick.exit(), "exit of `cove " + String.join(" ", args) + "`\nquick: " + quick
                + "\nfull: " + full);
        assertEquals(figuresOut(full.out()), figuresOut(quick.out()), "stdout of `cove " + String.join(" ", args) + "`");
        assertEquals(full.err(), quick.err(), "stderr of `cove " + String.join(" ", args) + "`");
    }

    @Test
    void printsWhatTheFullCliPrints() {
        assertEquals(0, cli.run("start").exit());
        assertEquals(0, cli.run("library", "create", "Quick").exit());
        assertEquals(0, cli.run("location", "add", "--wait", files.toString()).exit());

        assertSame("status");
        assertSame("ping");
        assertSame("--version");
        assertSame("search", "report");
        assertSame("search");                         // every name
        assertSame("find", "REPORT-1");               // the alias; any case
        assertSame("search", "report", "-n", "3");   // a page, and the cursor to the next
        assertSame("search", "--limit=2", "--library", "Quick", "report");
        assertSame("search", "no-such-name");
        assertSame("search", "--all", "report");      // every match, one path a line, as locate prints
        assertSame("search", "report", "-n", "0");   // the same
        assertSame("find", "-a");
        assertSame("search", "--all", "no-such-name");
        assertSame("search", "--all", "-l", "nope", "report");
        assertSame("ls", files.resolve("folder1").toString());
        assertSame("ls", files.toString(), "-l", "Quick");
        // the daemon's errors: the same message and exit status
        assertSame("search", "-l", "nope", "report");
        assertSame("ls", "/not/in/any/location");
        Result search = cli.runQuick("search", "report-3");
        assertTrue(search.out().contains("report-3.jpg") && search.out().contains("1 match ("), search.toString());
    }

    @Test
    void startsTheDaemonAsTheFullCliDoes() {
        Result quick = cli.runQuick("start");
        assertEquals(0, quick.exit(), quick.toString());
        assertTrue(quick.out().startsWith("Cove daemon started (instance default, pid "), quick.toString());
        assertSame("start"); // a daemon answers: "already running"
        assertEquals(0, cli.run("shutdown").exit());
        Result full = cli.run("start");
        assertEquals(0, full.exit(), full.toString());
        assertEquals(full.out().replaceAll("pid \\d+", "pid P"), quick.out().replaceAll("pid \\d+", "pid P"));
        assertEquals(full.err(), quick.err());
        assertEquals(0, cli.run("shutdown").exit());
        Result process = cli.runProcess("--instance", "other", "start"); // what bin/cove runs
        assertEquals(0, process.exit(), process.toString());
        assertTrue(process.out().startsWith("Cove daemon started (instance other, pid "), process.toString());
        assertEquals(0, cli.run("--instance", "other", "shutdown").exit()); // not left to killDaemons
    }

    @Test
    void aDaemonThatFailsToStartIsReportedAsTheFullCliReportsIt() {
        Cli broken = cli.withEnv("COVE_DAEMON_MAIN", "dev.cove.NoSuchDaemonMain");
        Result quick = broken.runQuick("start");
        Result full = broken.run("start");
        assertEquals(dev.cove.cli.ExitCodes.START_FAILED, quick.exit(), quick.toString());
        assertEquals(full.exit(), quick.exit(), "quick: " + quick + "\nfull: " + full);
        assertEquals(full.out(), quick.out());
        assertEquals(full.err(), quick.err());
        assertTrue(quick.err().contains("exited with status 1 before it answered"), quick.toString());
    }

    @Test
    void leavesEveryOtherFormToTheFullCliHavingPrintedNothing() {
        assertEquals(0, cli.run("start").exit());
        assertEquals(0, cli.run("library", "create", "Quick").exit());
        String[][] others = {
                {"status", "--json"}, {"--json", "ping"}, {"ping", "-c", "3"}, {"status", "--help"}, {"--help"}, {},
                {"search", "--kind", "image", "x"}, {"search", "a", "b"}, {"search", "--all", "--json", "x"},
                {"search", "-n", "many", "x"}, {"search", "-n", "3", "-n", "4", "x"}, {"ls", "a", "b"},
                {"--version", "status"}, {"-V", "-V"}, {"library", "list"}, {"stauts"}, {"status", "extra"},
                {"--instance", "Not Valid!", "status"}, {"--data-dir"}, {"search", "--library"},
                {"start", "--json"}, {"--json", "start"}, {"start", "--supervise"}, {"start", "--timeout", "5"},
                {"start", "--log-level", "debug"}, {"start", "-l", "x"}, {"start", "extra"}, {"start", "--shutdown-grace", "5"}};
        for (String[] args : others) {
            Result r = cli.runQuick(args);
            assertEquals(QuickLane.NOT_HANDLED, r.exit(), "`cove " + String.join(" ", args) + "`: " + r);
            assertEquals("", r.out() + r.err(), "`cove " + String.join(" ", args) + "` printed before handing over");
        }
        // no daemon (another instance): the full CLI says so, with its message and exit status 3
        Result none = cli.runQuick("--instance", "other", "status");
        assertEquals(QuickLane.NOT_HANDLED, none.exit(), none.toString());
        assertEquals(3, cli.run("--instance", "other", "status").exit());
        // no default library for that instance either: the full CLI's usage error, not a guess
        assertEquals(QuickLane.NOT_HANDLED, cli.runQuick("--instance", "other", "search", "x").exit());
    }

    @Test
    void theProcessBinCoveRunsTakesTheQuickLaneAndFallsBack() {
        assertEquals(0, cli.run("start").exit());
        assertEquals(0, cli.run("library", "create", "Quick").exit());
        assertEquals(0, cli.run("location", "add", "--wait", files.toString()).exit());
        Result search = cli.runProcess("search", "report-1");
        assertEquals(0, search.exit(), search.toString());
        assertEquals(figuresOut(cli.run("search", "report-1").out()), figuresOut(search.out()));
        Result json = cli.runProcess("--json", "search", "report-11");
        assertEquals(0, json.exit(), json.toString());
        assertTrue(json.out().contains("\"name\" : \"report-11.jpg\""), json.toString()); // picocli's --json
        Result missing = cli.runProcess("--instance", "other", "status");
        assertEquals(3, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("Start one with `cove"), missing.toString());
    }
}
