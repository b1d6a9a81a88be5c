package example.kv;

import dev.cove.rpc.client.DaemonLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kv command in child JVMs, each a real client over a real socket to a daemon it starts itself (auto-start
 * on the test's class path), with real files under a fresh KV_DATA_DIR.
 */
class KvDaemonTest {
    private static final long WAIT_SECONDS = 120; // a daemon's start on a loaded 2-core machine; never reached when all is well

    @TempDir
    Path tmp;
    Path data;
    private final List<Process> started = new ArrayList<>();

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void setUp() {
        data = tmp.resolve("data");
    }

    @AfterEach
    void stopDaemons() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (String instance : List.of("default", "b", "race")) {
            kv("--instance", instance, "shutdown");
        }
        // whatever is still alive now (a test that failed half-way) goes the hard way
        try (Stream<Path> locks = Files.exists(data.resolve("daemon")) ? Files.list(data.resolve("daemon")) : Stream.empty()) {
            for (Path lock : locks.filter(p -> p.getFileName().toString().startsWith("daemon")
                    && p.toString().endsWith(".lock")).toList()) {
                ProcessHandle.of(pid(lock)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void setGetListWatchAndShutdown() throws Exception {
        ok("set", "a", "1");
        ok("set", "b", "two words");
        assertEquals(new Result(0, "1\n", ""), kv("get", "a"));
        assertEquals("a=1\nb=two words\n", ok("list"));
        Result missing = kv("get", "nope");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("no value for key 'nope'"), missing.err());

        Process watch = start("watch");
        BlockingQueue<String> lines = lines(watch);
        assertEquals("watching", lines.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        ok("set", "c", "3");
        assertEquals("c=3", lines.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        ok("set", "a", "11");
        assertEquals("a=11", lines.poll(WAIT_SECONDS, TimeUnit.SECONDS));

        ok("shutdown");
        assertTrue(watch.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "watch ends when the daemon stops");
        assertEquals(0, watch.exitValue());
        assertFalse(Files.exists(data.resolve("daemon/daemon.sock")), "a stopped daemon deletes its socket");
        Result again = kv("shutdown");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("no kv daemon is running for instance 'default'"), again.err());
    }

    @Test
    void aSecondDaemonOfTheSameInstanceIsRefused() throws Exception {
        ok("set", "k", "v");
        long pid = pid(data.resolve("daemon/daemon.lock"));
        Result second = kv("daemon");
        assertEquals(1, second.exit(), second.err());
        assertTrue(second.err().contains("A kv daemon for instance 'default' is already running (pid " + pid + ")")
                && second.err().contains("`kv shutdown`"), second.err());
        assertEquals(new Result(0, "v\n", ""), kv("get", "k"), "the first daemon still serves");
        assertEquals(pid, pid(data.resolve("daemon/daemon.lock")), "the refused daemon left the lock file alone");
    }

    @Test
    void afterKillMinus9TheNextCommandStartsADaemonWithTheValuesIntact() throws Exception {
        ok("set", "k", "survives");
        long pid = pid(data.resolve("daemon/daemon.lock"));
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        assertTrue(daemon.destroyForcibly()); // SIGKILL: no shutdown hook, the socket file stays behind
        daemon.onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(Files.exists(data.resolve("daemon/daemon.sock")), "a killed daemon leaves its socket");

        assertEquals(new Result(0, "survives\n", ""), kv("get", "k"));
        long restarted = pid(data.resolve("daemon/daemon.lock"));
        assertNotEquals(pid, restarted);
        assertTrue(ProcessHandle.of(restarted).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void instancesAreKeptApartAndRacingClientsStartOneDaemon() throws Exception {
        ok("set", "x", "default's");
        ok("--instance", "b", "set", "x", "b's");
        assertEquals("default's\n", ok("get", "x"));
        assertEquals("x=b's\n", ok("--instance", "b", "list"));
        assertNotEquals(pid(data.resolve("daemon/daemon.lock")), pid(data.resolve("daemon/daemon-b.lock")));
        assertTrue(Files.exists(data.resolve("instances/b/values.json")));

        // two first commands at once: the spawn lock lets one of them start the daemon, and both are served
        Process one = start("--instance", "race", "set", "p", "1");
        Process two = start("--instance", "race", "set", "q", "2");
        assertTrue(one.waitFor(WAIT_SECONDS, TimeUnit.SECONDS) && two.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, one.exitValue(), new String(one.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, two.exitValue(), new String(two.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("p=1\nq=2\n", ok("--instance", "race", "list"));
        String log = Files.readString(data.resolve("logs/daemon-race.out"));
        assertEquals(1, log.split("ready for instance 'race'", -1).length - 1, log);
        assertFalse(log.contains("already running"), log);
    }

    @Test
    void nothingInTheDataFolderNamesCove() throws Exception {
        ok("set", "a", "1");
        ok("--instance", "b", "set", "b", "2");
        Process watch = start("watch");
        assertEquals("watching", lines(watch).poll(WAIT_SECONDS, TimeUnit.SECONDS));
        ok("list");
        ProcessHandle b = ProcessHandle.of(pid(data.resolve("daemon/daemon-b.lock"))).orElseThrow();
        b.destroyForcibly();
        b.onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals("2\n", ok("--instance", "b", "get", "b"));
        ok("shutdown");
        ok("--instance", "b", "shutdown");
        assertTrue(watch.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));

        // the folder's own path is the test's choice, not the daemon's: leave it out of the contents
        String self = data.toString();
        List<String> found = new ArrayList<>();
        try (Stream<Path> all = Files.walk(data)) {
            for (Path p : all.toList()) {
                if (data.relativize(p).toString().toLowerCase(Locale.ROOT).contains("cove")) {
                    found.add("name: " + p);
                }
                if (Files.isRegularFile(p) && Files.readString(p, StandardCharsets.ISO_8859_1).replace(self, "")
                        .toLowerCase(Locale.ROOT).contains("cove")) {
                    found.add("content: " + p + ":\n" + Files.readString(p, StandardCharsets.ISO_8859_1));
                }
            }
        }
        assertEquals(List.of(), found);
        assertTrue(Files.exists(data.resolve("values.json")) && Files.exists(data.resolve("logs/daemon.out")),
                "the walk saw the daemon's files");
    }

    // ---- running kv ----

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(DaemonLauncher.FRAMEWORK_JVM_OPTIONS); // as bin/kv runs it
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Kv.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("KV_DATA_DIR", data.toString());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Runs kv, asserts it succeeded and said nothing on stderr, and returns its output. */
    private String ok(String... args) throws Exception {
        Result r = kv(args);
        assertEquals(new Result(0, r.out(), ""), r, "kv " + String.join(" ", args));
        return r.out();
    }

    private Result kv(String... args) throws Exception {
        Process p = start(args);
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "kv " + String.join(" ", args) + " did not finish");
        return new Result(p.exitValue(), out, err.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A process's output lines as they come, so a test waits for a line rather than for time to pass. */
    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    q.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        return q;
    }

    private static long pid(Path lockFile) throws IOException {
        return Long.parseLong(Files.readString(lockFile).trim());
    }
}
