package dev.cove.cli.host;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.cli.CliInvocation;
import dev.cove.api.cli.HostedCli;
import dev.cove.rpc.codec.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI run as the daemon runs it: through {@link HostedCli}, with an invocation's own streams, folder and env. */
class HostedTest {
    private final Hosted cli = new Hosted();

    @TempDir
    Path tmp;

    /** A client's invocation with in-memory streams. */
    static class Invocation implements CliInvocation {
        final List<String> args;
        final Path cwd;
        final Map<String, String> env;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        byte[] input = new byte[0];
        boolean terminal;

        Invocation(Path cwd, Map<String, String> env, String... args) {
            this.args = List.of(args);
            this.cwd = cwd;
            this.env = env;
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        @Override
        public List<String> args() {
            return args;
        }

        @Override
        public Path cwd() {
            return cwd;
        }

        @Override
        public Map<String, String> env() {
            return env;
        }

        @Override
        public boolean stdinTerminal() {
            return terminal;
        }

        @Override
        public boolean stdoutTerminal() {
            return terminal;
        }

        @Override
        public int columns() {
            return 0;
        }

        @Override
        public OutputStream stdout() {
            return out;
        }

        @Override
        public OutputStream stderr() {
            return err;
        }

        @Override
        public InputStream stdin() {
            return new ByteArrayInputStream(input);
        }

        @Override
        public AutoCloseable onInterrupt(Runnable action) {
            return () -> {
            };
        }
    }

    private Map<String, String> env(Path dataDir) {
        return Map.of("COVE_DATA_DIR", dataDir.toString(), "HOME", tmp.toString());
    }

    @Test
    void theDaemonFindsItByServiceLoader() {
        List<HostedCli> found = ServiceLoader.load(HostedCli.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertInstanceOf(Hosted.class, found.get(0));
    }

    @Test
    void outputGoesToTheInvocationsStreamsAndNothingToTheProcesss() {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream processOut = new ByteArrayOutputStream();
        ByteArrayOutputStream processErr = new ByteArrayOutputStream();
        Invocation version = new Invocation(tmp, env(tmp), "--version");
        Invocation instances = new Invocation(tmp, env(tmp.resolve("data")), "instances");
        Invocation unknown = new Invocation(tmp, env(tmp), "no-such-command");
        int[] exits = new int[3];
        System.setOut(new PrintStream(processOut, true));
        System.setErr(new PrintStream(processErr, true));
        try {
            exits[0] = cli.run(version);
            exits[1] = cli.run(instances);
            exits[2] = cli.run(unknown);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertEquals(0, exits[0], version.err());
        assertTrue(version.out().startsWith("cove "), version.out());
        assertEquals(0, exits[1], instances.err());
        assertTrue(instances.out().startsWith("Instances in " + tmp.resolve("data") + ":"), instances.out());
        assertEquals(2, exits[2]);
        assertTrue(unknown.err().contains("no-such-command"), unknown.err());
        assertEquals("", processOut.toString(StandardCharsets.UTF_8));
        assertEquals("", processErr.toString(StandardCharsets.UTF_8));
    }

    @Test
    void relativePathsResolveAgainstTheInvocationsFolder() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("client/folder"));
        Invocation dataDir = new Invocation(cwd, env(tmp), "--json", "instances", "--data-dir", "sub/data");
        assertEquals(0, cli.run(dataDir), dataDir.err());
        JsonNode json = Json.MAPPER.readTree(dataDir.out());
        assertEquals(cwd.resolve("sub/data").toString(), json.get("dataDir").asText());

        Invocation textfile = new Invocation(cwd, env(tmp), "metrics", "--textfile", "nowhere/cove.prom");
        assertEquals(2, cli.run(textfile));
        assertTrue(textfile.err().contains("the folder " + cwd.resolve("nowhere") + " does not exist"), textfile.err());
    }

    @Test
    void aConfirmationIsAskedOnTheInvocationsTerminalAndAnsweredFromItsStdin() {
        Path cwd = tmp.resolve("here");
        Invocation no = new Invocation(cwd, env(tmp), "rm", "--permanent", "old.txt");
        no.terminal = true;
        no.input = "n\nmore input\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(1, cli.run(no), no.err());
        assertEquals("Delete " + cwd.resolve("old.txt") + " for good? This cannot be undone. [y/N] Nothing deleted\n",
                no.out());

        Invocation yes = new Invocation(cwd, env(tmp), "rm", "--permanent", "old.txt");
        yes.terminal = true;
        yes.input = "y\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(3, cli.run(yes), yes.err()); // agreed, then no daemon runs for the data folder

        Invocation noTerminal = new Invocation(cwd, env(tmp), "rm", "--permanent", "old.txt");
        noTerminal.input = "y\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(2, cli.run(noTerminal));
        assertTrue(noTerminal.err().contains("add --yes to confirm"), noTerminal.err());
    }

    @Test
    void aPayloadFromStdinIsTheInvocations() {
        Invocation call = new Invocation(tmp, env(tmp), "call", "query:core.status.v1", "-");
        call.input = "{\"unclosed\": ".getBytes(StandardCharsets.UTF_8);
        assertEquals(2, cli.run(call), call.err());
        assertTrue(call.err().contains("the payload is not valid JSON"), call.err());
    }

    @Test
    void invocationsInParallelSeeTheirOwnEnvironmentAndFolder() throws Exception {
        int rounds = 20;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                // each waits in its first write for the other to be writing too: the two runs overlap
                CyclicBarrier together = new CyclicBarrier(2);
                List<Path> folders = new ArrayList<>();
                List<Invocation> runs = new ArrayList<>();
                for (String who : List.of("a", "b")) {
                    Path cwd = Files.createDirectories(tmp.resolve(round + "/" + who));
                    folders.add(cwd);
                    Map<String, String> env = new HashMap<>(env(tmp));
                    env.put("COVE_DATA_DIR", "data-" + who); // relative: taken from the invocation's folder
                    runs.add(new Invocation(cwd, env, "instances") {
                        private final OutputStream meeting = new MeetingStream(out, together);

                        @Override
                        public OutputStream stdout() {
                            return meeting;
                        }
                    });
                }
                List<Future<Integer>> exits = new ArrayList<>();
                for (Invocation run : runs) {
                    exits.add(pool.submit(() -> cli.run(run)));
                }
                for (int i = 0; i < 2; i++) {
                    assertEquals(0, exits.get(i).get(30, TimeUnit.SECONDS), runs.get(i).err());
                    String who = i == 0 ? "a" : "b";
                    assertTrue(runs.get(i).out().startsWith("Instances in " + folders.get(i).resolve("data-" + who)
                            + ":\n"), runs.get(i).out());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes through to {@code out}, but the first write waits for the other run's first write. */
    private static final class MeetingStream extends OutputStream {
        private final OutputStream out;
        private final CyclicBarrier together;
        private boolean met;

        MeetingStream(OutputStream out, CyclicBarrier together) {
            this.out = out;
            this.together = together;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            if (!met) {
                met = true;
                try {
                    together.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                    throw new AssertionError("the other run never wrote at the same time", e);
                }
            }
            out.write(b, off, len);
        }
    }

    @Test
    void commandsThatStartStopOrReplaceTheDaemonRunLocally() {
        for (List<String> args : List.of(List.of("start"), List.of("restart", "--log-level", "debug"),
                List.of("shutdown"), List.of("stop"), List.of("daemon"), List.of("run", "--", "ls"),
                List.of("doctor"), List.of("service", "install"), List.of("--instance", "x", "start"),
                List.of("--json", "--data-dir", "/d", "restart"))) {
            assertTrue(cli.runsLocally(args), String.valueOf(args));
        }
        for (List<String> args : List.of(List.of("status"), List.of("search", "start"), List.of("ls", "restart"),
                List.of("--data-dir", "start", "status"), List.of("--instance", "daemon", "ping"),
                List.of("--version"), List.of("--help"), List.<String>of(), List.of("jobs", "list"),
                List.of("no-such-command"))) {
            assertFalse(cli.runsLocally(args), String.valueOf(args));
        }
    }

    @Test
    void anInvocationThatCannotRunIsExitOneWithALineOnStderr() {
        Invocation relative = new Invocation(Path.of("relative/folder"), env(tmp), "instances");
        assertEquals(1, cli.run(relative));
        assertEquals("", relative.out());
        String err = relative.err();
        assertTrue(err.startsWith("cove: unexpected error: ") && err.endsWith("\n") && err.indexOf('\n') == err.length() - 1,
                err);
        assertTrue(err.contains("absolute"), err);
    }
}
