package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.files.FileNames;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.RawResult;
import dev.cove.tests.cli.Cli.Result;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names that are bytes rather than text (issue 19, item 7): two names that are not UTF-8 and differ only in
 * those bytes, a newline, ESC and BEL in names. The files are made by the shell ({@code printf}), not by Java,
 * whose strings could not name them; what Cove prints is compared with what {@code find -print0} prints, and
 * commands get their arguments as bytes (through {@code xargs -0}) as a shell would pass them.
 */
class CliByteNamesTest {
    private static final byte[] FF_FE = {(byte) 0xFF, (byte) 0xFE, '.', 't', 'x', 't'};
    private static final byte[] FE_FF = {(byte) 0xFE, (byte) 0xFF, '.', 't', 'x', 't'};

    @TempDir
    Path tmp;

    Cli cli;
    Process daemon;
    Path files;
    Path xdgData;

    @BeforeEach
    void setUp() throws Exception {
        xdgData = Files.createDirectories(tmp.resolve("xdg-data"));
        cli = Cli.under(tmp);
        files = Files.createDirectories(tmp.resolve("files"));
        sh("cd \"$1\" && printf first > \"$(printf '\\377\\376.txt')\" && printf second > \"$(printf '\\376\\377.txt')\" "
                + "&& printf nl > \"$(printf 'new\\nline.txt')\" && printf esc > \"$(printf 'bell\\a\\033[31m.txt')\" "
                + "&& printf plain > plain.txt", files.toString());
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            Reaper.kill(daemon.toHandle());
        }
        cli.killDaemons();
    }

    @Test
    void namesThatAreNotUtf8AreEntriesOfTheirOwnAndEveryCommandReachesThem() throws Exception {
        startDaemon();
        assertOk(cli.run("library", "create", "Bytes"));
        assertOk(cli.run("location", "add", files.toString(), "--wait"));
        byte[] base = (files + "/").getBytes(StandardCharsets.UTF_8);
        byte[] ffFe = concat(base, FF_FE);
        byte[] feFf = concat(base, FE_FF);

        // the index: one entry per name, and --json carries each name's exact bytes
        List<byte[]> real = split0(sh("find \"$1\" -mindepth 1 -print0", files.toString()));
        assertEquals(5, real.size(), "the files made by the shell");
        Result json = assertOk(cli.run("--json", "search", "txt"));
        List<byte[]> indexed = new ArrayList<>();
        for (JsonNode e : Json.MAPPER.readTree(json.out()).path("entries")) {
            indexed.add(FileNames.encode(e.path("path").asText()));
        }
        assertEquals(sorted(real), sorted(indexed), "one entry per name, byte for byte: " + json);
        assertTrue(json.out().contains(files + "/\uEFFF\uEFFE.txt"), "bytes that are not UTF-8 as U+EF80-U+EFFF: " + json);

        // -0: the raw bytes of every path and a NUL each, as find -print0 prints them
        RawResult search0 = runRaw(false, "search", "txt", "-0");
        assertEquals(0, search0.exit(), search0::toString);
        assertEquals(sorted(real), sorted(split0(search0.out())), "search -0 against find -print0");
        RawResult ls0 = runRaw(false, "ls", files.toString(), "--print0");
        assertEquals(0, ls0.exit(), ls0::toString);
        assertEquals(sorted(real), sorted(split0(ls0.out())), "ls -0 against find -print0");

        // on a terminal: each path on one line, what a terminal acts on escaped as ls shows it
        RawResult tty = runRaw(true, "search", "txt");
        assertEquals(0, tty.exit(), tty::toString);
        String screen = tty.text();
        assertTrue(screen.contains(files + "/new'$'\\n''line.txt'"), screen);
        assertTrue(screen.contains(files + "/'$'\\377\\376''.txt'") && screen.contains(files + "/'$'\\376\\377''.txt'"), screen);
        assertTrue(screen.contains("/bell'$'\\a\\033''[31m.txt'"), screen);
        assertFalse(screen.contains("\u001b") || screen.contains("\u0007"), "no raw ESC or BEL reaches the terminal: " + screen);
        assertEquals(1, screen.lines().filter(l -> l.contains("line.txt")).count(), "one line for the newline name: " + screen);
        assertTrue(screen.contains("5 matches"), screen);
        Result inProcess = cli.run("search", "line");
        assertTrue(inProcess.out().contains("'new'$'\\n''line.txt'"), "the CLI run in-process escapes the same: " + inProcess);

        // info, cp and rm on a name that is not UTF-8, given as bytes
        RawResult info = runRaw(false, "info", ffFe);
        assertEquals(0, info.exit(), info::toString);
        assertTrue(info.text().contains(files + "/'$'\\377\\376''.txt'"), info::toString);
        Path out = Files.createDirectories(tmp.resolve("out"));
        RawResult cp = runRaw(false, "cp", ffFe, out.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(0, cp.exit(), cp::toString);
        List<byte[]> copied = split0(sh("find \"$1\" -mindepth 1 -print0", out.toString()));
        assertEquals(List.of(HexFormat.of().formatHex(concat((out + "/").getBytes(StandardCharsets.UTF_8), FF_FE))),
                hex(copied), "the copy has the source's name, byte for byte");
        assertEquals("first", new String(sh("cat \"$1\"/*", out.toString()), StandardCharsets.UTF_8), "and its bytes");

        RawResult rm = runRaw(false, "rm", feFf);
        assertEquals(0, rm.exit(), rm::toString);
        List<String> left = hex(split0(sh("find \"$1\" -mindepth 1 -print0", files.toString())));
        assertFalse(left.contains(HexFormat.of().formatHex(feFf)), "the named file is gone");
        assertTrue(left.contains(HexFormat.of().formatHex(ffFe)), "its near-twin stays");
        assertEquals(List.of(HexFormat.of().formatHex(FE_FF)), hex(split0(sh("cd \"$1\" && find . -mindepth 1 -printf '%P\\0'",
                xdgData.resolve("Trash/files").toString()))), "in the trash under its own name");
        assertTrue(Files.readString(xdgData.resolve(Path.of("Trash/info"))
                .resolve(onlyChild(xdgData.resolve("Trash/info")))).contains("Path=" + files + "/%FE%FF.txt"),
                "the trash info names the bytes, percent-encoded");

        RawResult rename = runRaw(false, "rename", files + "/new\nline.txt", "renamed\u001b[2J.txt");
        assertEquals(0, rename.exit(), rename::toString);
        assertTrue(rename.text().contains("renamed to " + "'" + files + "/renamed'$'\\033''[2J.txt'")
                && !rename.text().contains("\u001b"), "the job's message shows the name escaped: " + rename);

        // the watcher sees a new such name; the index drops the removed one
        sh("printf new > \"$1/$(printf '\\375.txt')\"", files.toString());
        Cli.await(Duration.ofSeconds(30), () -> {
            try {
                List<String> now = new ArrayList<>();
                for (JsonNode e : Json.MAPPER.readTree(cli.run("--json", "search", "txt").out()).path("entries")) {
                    now.add(HexFormat.of().formatHex(FileNames.encode(e.path("path").asText())));
                }
                return now.contains(HexFormat.of().formatHex(concat(base, new byte[]{(byte) 0xFD, '.', 't', 'x', 't'})))
                        && !now.contains(HexFormat.of().formatHex(feFf));
            } catch (IOException e) {
                return false;
            }
        }, "the watcher to index \\375.txt and drop \\376\\377.txt");
    }

    /**
     * An index written before names were byte-exact held one row, with U+FFFD, for both names: the daemon says so
     * when it opens the library, and its start-up scan puts the two rows in its place.
     */
    @Test
    void anIndexFromBeforeIsRepairedByTheStartUpScan() throws Exception {
        startDaemon();
        assertOk(cli.run("library", "create", "Bytes"));
        assertOk(cli.run("location", "add", files.toString(), "--wait"));
        assertOk(cli.run("shutdown"));
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon stopped");
        Path db;
        try (Stream<Path> s = Files.walk(cli.dataDir())) {
            db = s.filter(p -> p.getFileName().toString().equals("library.db")).findFirst().orElseThrow();
        }
        String lossy = files + "/\uFFFD\uFFFD.txt";
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db)) {
            // what the index looked like: one row for both names, and no mark of byte-exact names
            try (var ps = c.prepareStatement("INSERT INTO entries(location_id, path, parent, name, lname, ext, kind, size, "
                    + "modified, created, inode, content_id) SELECT location_id, ?, parent, ?, ?, ext, kind, size, modified, "
                    + "created, inode, content_id FROM entries WHERE path = ?")) {
                ps.setString(1, lossy);
                ps.setString(2, "\uFFFD\uFFFD.txt");
                ps.setString(3, "\uFFFD\uFFFD.txt");
                ps.setString(4, files + "/\uEFFF\uEFFE.txt");
                assertEquals(1, ps.executeUpdate());
            }
            try (var st = c.createStatement()) {
                assertEquals(2, st.executeUpdate("DELETE FROM entries WHERE path LIKE '%' || char(61439) || '%'"), "U+EFFF");
                st.executeUpdate("DELETE FROM meta WHERE key = 'names'");
            }
        }
        startDaemon();
        Cli.await(Duration.ofSeconds(30), () -> {
            try {
                List<String> now = new ArrayList<>();
                for (JsonNode e : Json.MAPPER.readTree(cli.run("--json", "search", "txt").out()).path("entries")) {
                    now.add(e.path("path").asText());
                }
                return now.containsAll(List.of(files + "/\uEFFF\uEFFE.txt", files + "/\uEFFE\uEFFF.txt")) && !now.contains(lossy);
            } catch (IOException e) {
                return false;
            }
        }, "the start-up scan to put two byte-exact rows in place of the U+FFFD one");
        String log = Files.readString(cli.paths(null).logFile());
        assertTrue(log.contains("1 entries were indexed with U+FFFD for bytes that are not UTF-8; the start-up scan replaces them"),
                "the log says what happens to the old rows");
    }

    private RawResult runRaw(boolean pty, Object... args) {
        List<byte[]> raw = new ArrayList<>();
        for (Object a : args) {
            raw.add(a instanceof byte[] b ? b : a.toString().getBytes(StandardCharsets.UTF_8));
        }
        return cli.runRaw(pty, raw);
    }

    private static Path onlyChild(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.toList();
            assertEquals(1, all.size(), "one entry in " + dir);
            return all.get(0).getFileName();
        }
    }

    /** Runs a bash script with arguments; returns its stdout. */
    private static byte[] sh(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", script, "sh"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash finished");
        assertEquals(0, p.exitValue(), script);
        return out;
    }

    private static List<byte[]> split0(byte[] b) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                parts.add(Arrays.copyOfRange(b, start, i));
                start = i + 1;
            }
        }
        assertEquals(b.length, start, () -> "NUL-terminated: " + new String(b, StandardCharsets.UTF_8));
        return parts;
    }

    private static List<String> hex(List<byte[]> parts) {
        return parts.stream().map(HexFormat.of()::formatHex).toList();
    }

    private static List<String> sorted(List<byte[]> parts) {
        return hex(parts).stream().sorted().toList();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(a);
        o.writeBytes(b);
        return o.toByteArray();
    }

    private static Result assertOk(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    private void startDaemon() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Jvm.java());
        cmd.addAll(Jvm.flags());
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
}
