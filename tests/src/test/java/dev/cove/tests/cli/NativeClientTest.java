package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.Daemons;
import dev.cove.tests.support.NativeClient;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native {@code cove} client in front of the one CLI, which the daemon runs warm (issue 20): the same output and
 * exit status as the CLI in a JVM of its own for every command of README's CLI block; Ctrl-C, the terminal's width,
 * the working folder and stdin reach the command; no daemon, another build's daemon, racing starts; and {@code cove
 * daemon} as the Python and Go clients run it leaves no CLI JVM behind. Every run goes through bin/cove's real
 * scripts and the jars Maven built for this run.
 */
class NativeClientTest {
    private static final Pattern CLI_RUNS =
            Pattern.compile("cove_rpc_calls_total\\{method=\"action:cli\\.run\\.input\\.v1\"} ([0-9.]+)");
    private static final Pattern CLI_RUN_ERRORS =
            Pattern.compile("cove_rpc_errors_total\\{[^}]*method=\"action:cli\\.run\\.input\\.v1\"[^}]*} ([0-9.]+)");

    @TempDir
    Path tmp;
    private Path data;
    private Path home;
    private final List<Process> spawned = new ArrayList<>();

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        data = tmp.resolve("data");
        home = Files.createDirectories(tmp.resolve("home"));
    }

    @AfterEach
    void tearDown() {
        spawned.forEach(Process::destroyForcibly);
        for (ProcessHandle h : Daemons.running(data)) {
            h.destroyForcibly();
            h.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    // ---- running the two paths ----

    private ProcessBuilder nativeClient(Path cwd, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(NativeClient.binary().toString(), "--data-dir", data.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        isolate(pb);
        pb.environment().putAll(NativeClient.env());
        pb.environment().putAll(env);
        return pb;
    }

    private ProcessBuilder jvmPath(Path cwd, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(NativeClient.ROOT.resolve("bin/cove").toString(), "--data-dir",
                data.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        isolate(pb);
        pb.environment().putAll(NativeClient.jvmEnv());
        pb.environment().putAll(env);
        return pb;
    }

    /** No COVE_* of the test run's own; the CLI's settings file and XDG folders under this test's folder. */
    private void isolate(ProcessBuilder pb) {
        pb.environment().keySet().removeIf(k -> k.startsWith("COVE_") || k.startsWith("XDG_") || k.equals("COLUMNS"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        pb.environment().put("XDG_DATA_HOME", home.resolve(".local/share").toString());
    }

    private Result run(ProcessBuilder pb) throws Exception {
        int n = spawned.size();
        Path out = tmp.resolve("run-" + n + ".out");
        Path err = tmp.resolve("run-" + n + ".err");
        if (pb.redirectInput() == ProcessBuilder.Redirect.PIPE) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))); // no stdin unless the test gave one
        }
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        spawned.add(p);
        Reaper.register(p.toHandle());
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "cove " + pb.command() + " did not end");
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Result nat(String... args) throws Exception {
        return run(nativeClient(tmp, Map.of(), args));
    }

    private Result jvm(String... args) throws Exception {
        return run(jvmPath(tmp, Map.of(), args));
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    /** How many cove commands the daemon has run for native clients (its cli.run calls). */
    private long hostedRuns() throws Exception {
        String metrics = ok(jvm("metrics")).out();
        Matcher m = CLI_RUNS.matcher(metrics);
        long runs = m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
        for (Matcher e = CLI_RUN_ERRORS.matcher(metrics); e.find(); ) {
            runs -= (long) Double.parseDouble(e.group(1)); // answered with an error: the client fell back to a JVM
        }
        return runs;
    }

    /** Numbers differ from run to run (times, pids, memory, the connection count); the text around them must not. */
    private static String shape(String s) {
        return s.replaceAll("[0-9]+", "#");
    }

    private Path library() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(photos.resolve("alpha-beach.jpg"), "same bytes");
        Files.writeString(photos.resolve("alpha-copy.jpg"), "same bytes");
        Files.writeString(photos.resolve("notes alpha.txt"), "alpha notes");
        Files.createDirectories(photos.resolve("sub"));
        Files.writeString(photos.resolve("sub/gamma.txt"), "gamma");
        ok(jvm("library", "create", "Photos"));
        ok(jvm("location", "add", photos.toString(), "--wait"));
        return photos;
    }

    // ---- the tests ----

    @Test
    void everyCommandGivesTheSameOutputAndStatusThroughTheNativeClientAsInAJvmOfItsOwn() throws Exception {
        assertTrue(ok(jvm("start")).out().contains("Cove daemon started"));
        Path photos = library();
        String file = photos.resolve("alpha-beach.jpg").toString();
        List<List<String>> table = List.of(
                List.of("status"), List.of("status", "--json"), List.of("ping"), List.of("instances"),
                List.of("methods"), List.of("methods", "--json"), List.of("call", "query:core.ping.v1", "--json"),
                List.of("library", "list"), List.of("library", "list", "--json"), List.of("location", "list"),
                List.of("search", "alpha"), List.of("search", "alpha", "--all"), List.of("search", "alpha", "--json"),
                List.of("search", "alpha", "--kind", "image", "--min-size", "1", "--since", "30d", "--sort", "size",
                        "--desc"),
                List.of("search", "alpha", "-0"), List.of("ls", photos.toString(), "-0"),
                List.of("duplicates", "--min-size", "1"), List.of("sessions", "list", "--active"),
                List.of("logs", "-n", "0", "--level", "debug"),
                List.of("search", "no-such-name-anywhere"), List.of("ls", photos.toString()),
                List.of("ls", photos.toString(), "--json"), List.of("info", file), List.of("info", file, "--json"),
                List.of("duplicates"), List.of("jobs", "list"), List.of("jobs", "list", "--json"),
                List.of("sessions", "list"), List.of("sessions", "list", "--json"), List.of("upstream", "status"),
                List.of("logs", "-n", "0"), List.of("completion"), List.of("--version"), List.of("--help"),
                List.of("library", "--help"), List.of("search", "--help"),
                // errors: usage (2), not found (1), a path outside every library (1)
                List.of("frobnicate"), List.of("search"), List.of("search", "alpha", "--limit", "zero"),
                List.of("sessions", "show", "no-such-session"), List.of("jobs", "show", "999"),
                List.of("info", tmp.resolve("not-there.txt").toString()),
                List.of("ls", tmp.toString()), List.of("call", "query:no.such.v1"));
        long before = hostedRuns();
        List<String> differ = new ArrayList<>();
        for (List<String> row : table) {
            String[] args = row.toArray(String[]::new);
            Result viaNative = nat(args);
            Result viaJvm = jvm(args);
            if (viaNative.exit() != viaJvm.exit() || !shape(viaNative.out()).equals(shape(viaJvm.out()))
                    || !shape(viaNative.err()).equals(shape(viaJvm.err()))) {
                differ.add("cove " + String.join(" ", row) + "\n=== native: " + viaNative + "\n=== jvm: " + viaJvm);
            }
        }
        assertEquals(List.of(), differ, "commands whose native and JVM runs differ");
        long hosted = hostedRuns() - before;
        assertTrue(hosted >= table.size(), "each native run was a command the daemon ran (cli.run calls: " + hosted
                + " for " + table.size() + " commands), not a fall-back to a JVM");
    }

    @Test
    void aRelativePathResolvesAgainstTheClientsFolderAndStdinReachesTheCommand() throws Exception {
        ok(jvm("start"));
        Path photos = library();
        Result ls = ok(run(nativeClient(photos.resolve("sub"), Map.of(), "ls", ".")));
        assertTrue(ls.out().contains("gamma.txt"), ls::toString);
        Result info = ok(run(nativeClient(photos, Map.of(), "info", "sub/gamma.txt", "--json")));
        assertEquals(photos.resolve("sub/gamma.txt").toString(), Json.MAPPER.readTree(info.out()).path("path").asText(),
                info::toString);
        // a payload from stdin (`-`): stdin is forwarded when the command reads it
        Path payload = tmp.resolve("payload.json");
        Files.writeString(payload, "{\"name\": \"FromStdin\"}");
        Result created = run(nativeClient(tmp, Map.of(), "call", "action:libraries.create.input.v1", "-", "--json")
                .redirectInput(payload.toFile()));
        assertEquals(0, created.exit(), created::toString);
        assertTrue(ok(jvm("library", "list")).out().contains("FromStdin"));
    }

    @Test
    void aConfirmationIsAskedOnTheClientsTerminalAndItsAnswerForwarded() throws Exception {
        ok(jvm("start"));
        Path photos = library();
        Path doomed = photos.resolve("notes alpha.txt");
        Result no = inTerminal("n", 80, "rm", "--permanent", doomed.toString());
        assertTrue(no.out().contains("[y/N]"), no::toString);
        assertTrue(Files.exists(doomed), "answered no: kept\n" + no);
        Result yes = inTerminal("y", 80, "rm", "--permanent", doomed.toString());
        assertEquals(0, yes.exit(), yes::toString);
        assertFalse(Files.exists(doomed), "answered yes: deleted\n" + yes);
    }

    @Test
    void ctrlCCancelsACopyAndTheProgressBarFitsTheClientsTerminal() throws Exception {
        ok(run(jvmPath(tmp, Map.of("COVE_JAVA_OPTS", "-Dcove.copy.maxBytesPerSecond=" + 2 * 1024 * 1024), "start")));
        library();
        Path big = tmp.resolve("photos/big.bin");
        byte[] chunk = new byte[1024 * 1024];
        new Random(1).nextBytes(chunk);
        try (var o = Files.newOutputStream(big)) {
            for (int i = 0; i < 40; i++) {
                o.write(chunk);
            }
        }
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path shown = tmp.resolve("terminal.out");
        // a 50-column terminal; typing ^C there sends SIGINT to the foreground group, as a person's Ctrl-C does
        Process cp = terminal(shown, 50, "cp", big.toString(), out.toString());
        // (a 50-column line has no room for the rate: a percentage past 0 says the job runs and is followed)
        Await.until(Duration.ofSeconds(60), () -> !cp.isAlive() || Pattern.compile("\\] +[1-9][0-9]?%").matcher(read(shown)).find(),
                () -> "copy progress on the terminal: " + read(shown));
        assertTrue(cp.isAlive(), () -> "the copy ended early: " + read(shown));
        cp.getOutputStream().write(3);
        cp.getOutputStream().flush();
        assertTrue(cp.waitFor(60, TimeUnit.SECONDS), () -> "the client ended after Ctrl-C: " + read(shown));
        String screen = read(shown);
        assertEquals(130, cp.exitValue(), screen);
        assertTrue(screen.contains("Cancelled job") && screen.contains("nothing was left under the final name"), screen);
        assertFalse(Files.exists(out.resolve("big.bin")));
        int bars = 0;
        for (String line : screen.split("[\r\n]+")) {
            // (the terminal echoes the typed Ctrl-C as ^C where the cursor is: not the CLI's)
            String visible = line.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("^C", "");
            // a progress line is redrawn in place: wider than the terminal, it would wrap and scroll at each redraw
            if (visible.startsWith("copy ")) {
                assertTrue(visible.length() <= 50, "a progress line wider than the 50-column terminal: '" + visible + "'");
                bars++;
            }
        }
        assertTrue(bars > 1, screen);
        assertTrue(ok(jvm("jobs", "list")).out().lines().anyMatch(l -> l.contains("copy") && l.contains("cancelled")));
    }

    @Test
    void ctrlCCancelsALocationAddWait() throws Exception {
        ok(jvm("start"));
        ok(jvm("library", "create", "Big"));
        Path tree = tmp.resolve("big");
        for (int d = 0; d < 300; d++) {
            Path dir = Files.createDirectories(tree.resolve("d" + d));
            for (int f = 0; f < 200; f++) {
                Files.createFile(dir.resolve("f" + f + ".txt"));
            }
        }
        Path out = tmp.resolve("add.out");
        Process add = nativeClient(tmp, Map.of(), "location", "add", tree.toString(), "--wait")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        spawned.add(add);
        Await.until(Duration.ofSeconds(60), () -> !add.isAlive() || read(out).contains(" entries"),
                () -> "the CLI to follow the index job: " + read(out));
        assertTrue(add.isAlive(), () -> "location add ended before it could be interrupted: " + read(out));
        assertEquals(0, new ProcessBuilder("kill", "-s", "INT", Long.toString(add.pid())).start().waitFor());
        assertTrue(add.waitFor(60, TimeUnit.SECONDS), () -> read(out));
        assertEquals(130, add.exitValue(), () -> read(out));
        assertTrue(read(out).contains("The location stays added, partly indexed."), () -> read(out));
        JsonNode loc = Json.MAPPER.readTree(ok(jvm("location", "list", "--json")).out()).path("locations").get(0);
        assertTrue(loc.path("partlyIndexed").asBoolean(), loc::toString);
    }

    @Test
    void withNoDaemonTheNativeClientSaysSoAndRacingStartsMakeOneDaemon() throws Exception {
        Result none = nat("status");
        Result noneJvm = jvm("status");
        assertEquals(3, none.exit(), none::toString);
        assertEquals(noneJvm.exit(), none.exit());
        assertEquals(shape(noneJvm.err()), shape(none.err()));
        assertEquals(shape(noneJvm.out()), shape(none.out()));

        List<Process> racers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Process p = nativeClient(tmp, Map.of(), "start").redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("racer-" + i + ".out").toFile()).start();
            spawned.add(p);
            racers.add(p);
        }
        for (int i = 0; i < racers.size(); i++) {
            assertTrue(racers.get(i).waitFor(90, TimeUnit.SECONDS));
            assertEquals(0, racers.get(i).exitValue(), read(tmp.resolve("racer-" + i + ".out")));
        }
        Set<ProcessHandle> daemons = new HashSet<>(Daemons.running(data));
        assertEquals(1, daemons.size(), "one daemon for four racing starts: " + daemons);
        assertEquals(daemons.iterator().next().pid(),
                InstanceLock.readPid(new InstancePaths(data, "default").lockFile()).orElseThrow());
    }

    @Test
    void aDaemonOfAnotherBuildIsRestartedWhenIdleAndLeftAloneWhenBusy() throws Exception {
        Path build = copyOfBuildDir();
        NativeClient.buildId(build, "new-build");
        ok(run(jvmPath(tmp, Map.of("COVE_BUILD_ID", "old-build"), "start")));
        long oldPid = lockPid();
        // `start` said hello as the CLI: the daemon warms the CLI up, with connections of its own, meanwhile
        Await.until(Duration.ofSeconds(60), () -> read(data.resolve("logs/daemon.log")).contains("CLI warmed up"),
                () -> "the CLI's warm-up to end: " + read(data.resolve("logs/daemon.log")));

        // busy: a client is connected (a live event stream); the daemon stays, the command runs on its own
        Process follower = jvmPath(tmp, Map.of(), "events").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("events.out").toFile()).start();
        spawned.add(follower);
        Await.until(Duration.ofSeconds(60), () -> clients() >= 1, () -> "the event stream to connect");
        Result busy = run(nativeClient(tmp, Map.of("COVE_BUILD_DIR", build.toString()), "library", "list"));
        assertEquals(0, busy.exit(), busy::toString);
        assertTrue(busy.err().contains("another build") && busy.err().contains("restart` to update it"), busy::toString);
        assertEquals(oldPid, lockPid(), "a busy daemon is not restarted");
        follower.destroy();
        assertTrue(follower.waitFor(30, TimeUnit.SECONDS));
        Await.until(Duration.ofSeconds(30), () -> clients() == 0, () -> "the event stream to disconnect");

        // idle: restarted with the new build, then the command runs there
        Result idle = run(nativeClient(tmp, Map.of("COVE_BUILD_DIR", build.toString()), "library", "list"));
        assertEquals(0, idle.exit(), idle::toString);
        assertTrue(idle.err().contains("restarting"), idle::toString);
        assertNotEquals(oldPid, lockPid(), "an idle daemon of another build is restarted");
        Result again = run(nativeClient(tmp, Map.of("COVE_BUILD_DIR", build.toString()), "library", "list"));
        assertEquals("", again.err(), "the new daemon is of the client's build: " + again);
    }

    @Test
    void coveDaemonAsTheClientsRunItIsTheDaemonItselfWithNoCliJvmAbove() throws Exception {
        // what the Python and Go clients run to auto-start a daemon: `cove daemon --data-dir DIR --instance NAME`
        ProcessBuilder pb = new ProcessBuilder(NativeClient.ROOT.resolve("bin/cove").toString(), "daemon", "--data-dir",
                data.toString(), "--instance", "spawned").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("daemon.out").toFile());
        isolate(pb);
        pb.environment().putAll(NativeClient.env()); // as bin/cove is run, with a native client built
        pb.environment().remove("COVE_SELF");
        Process daemon = pb.start();
        spawned.add(daemon);
        Reaper.register(daemon.toHandle());
        InstancePaths paths = new InstancePaths(data, "spawned");
        Await.until(Duration.ofSeconds(60), () -> !daemon.isAlive() || InstanceLock.readPid(paths.lockFile()).isPresent()
                && Files.exists(paths.socket()), () -> "the daemon to be up: " + read(tmp.resolve("daemon.out")));
        assertTrue(daemon.isAlive(), () -> read(tmp.resolve("daemon.out")));
        assertEquals(daemon.pid(), InstanceLock.readPid(paths.lockFile()).orElseThrow(),
                "the process the client spawned is the daemon (exec), not a CLI JVM waiting for it");
        String cmdline = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains("dev.cove.daemon.DaemonMain"), cmdline);
        assertEquals(0, daemon.children().count(), "no process below the daemon");
        ok(jvm("--instance", "spawned", "shutdown"));
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
    }

    // ---- helpers ----

    private long lockPid() {
        return InstanceLock.readPid(new InstancePaths(data, "default").lockFile()).orElseThrow();
    }

    /** Clients connected to the daemon, other than the one asking. */
    private int clients() {
        try {
            return Json.MAPPER.readTree(ok(jvm("status", "--json")).out()).path("clients").asInt() - 1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Path copyOfBuildDir() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("build/native"));
        Files.copy(NativeClient.binary(), dir.resolve("cove"));
        Path stamp = NativeClient.buildDir().resolve("stamp");
        Files.copy(stamp, dir.getParent().resolve("stamp"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        return dir.getParent();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The native client on a pseudo-terminal of {@code columns} columns (util-linux's script): what the terminal
     * shows goes to {@code shown}; writing to the process's stdin is typing.
     */
    private Process terminal(Path shown, int columns, String... args) throws Exception {
        ProcessBuilder inner = nativeClient(tmp, Map.of(), args);
        StringBuilder line = new StringBuilder("stty cols " + columns + " rows 24; exec /usr/bin/env --default-signal=INT");
        for (String a : inner.command()) {
            line.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        ProcessBuilder pb = new ProcessBuilder("script", "--quiet", "--return", "--command", line.toString(), "/dev/null")
                .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(shown.toFile());
        pb.environment().clear();
        pb.environment().putAll(inner.environment());
        Process p = pb.start();
        spawned.add(p);
        Reaper.register(p.toHandle());
        return p;
    }

    /** Runs the native client on a {@code columns}-wide terminal, typing {@code answer} when it asks "[y/N]". */
    private Result inTerminal(String answer, int columns, String... args) throws Exception {
        Path shown = tmp.resolve("terminal-" + spawned.size() + ".out");
        Process p = terminal(shown, columns, args);
        Await.until(Duration.ofSeconds(60), () -> !p.isAlive() || read(shown).contains("[y/N]"),
                () -> "the question: " + read(shown));
        if (p.isAlive()) {
            p.getOutputStream().write((answer + "\r").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), () -> read(shown));
        return new Result(p.exitValue(), read(shown), "");
    }
}
