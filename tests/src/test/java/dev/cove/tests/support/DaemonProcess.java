package dev.cove.tests.support;

import dev.cove.api.Cove;
import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real daemon in a process of its own ({@code java -cp ... dev.cove.daemon.DaemonMain --data-dir D
 * --instance N}). {@link #start} returns once the daemon answers a ping over its socket; {@link #close}
 * kills it (SIGKILL) if it still runs. Its standard output and error go to files beside the data folder.
 */
public final class DaemonProcess implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final InstancePaths paths;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final List<CoreClient> clients = new CopyOnWriteArrayList<>();

    private DaemonProcess(InstancePaths paths, Process process, Path stdout, Path stderr) {
        this.paths = paths;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts the default instance on {@code dataDir} and waits until it answers. */
    public static DaemonProcess start(Path dataDir) {
        return start(dataDir, InstancePaths.DEFAULT);
    }

    /** Starts an instance and waits until it answers; fails with the daemon's output if it exits or hangs. */
    public static DaemonProcess start(Path dataDir, String instance, String... extraArgs) {
        DaemonProcess d = spawn(dataDir, instance, extraArgs);
        try {
            d.awaitReady(START_TIMEOUT);
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** Spawns a daemon process without waiting for anything. */
    public static DaemonProcess spawn(Path dataDir, String instance, String... extraArgs) {
        InstancePaths paths = new InstancePaths(dataDir, instance);
        List<String> cmd = new ArrayList<>(Jvm.daemonCommand());
        cmd.addAll(List.of("--data-dir", paths.dataDir().toString(), "--instance", paths.instance()));
        cmd.addAll(List.of(extraArgs));
        String base = paths.dataDir().getFileName() + "-" + paths.instance() + "-" + SEQ.incrementAndGet();
        Path out = paths.dataDir().resolveSibling(base + ".stdout");
        Path err = paths.dataDir().resolveSibling(base + ".stderr");
        try {
            Files.createDirectories(paths.dataDir().getParent());
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            Reaper.register(p.toHandle());
            return new DaemonProcess(paths, p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /** Polls a client connect (and a ping that must come from this process) until it works. */
    public DaemonProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RpcException last = null;
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("daemon " + describe() + " exited with status " + process.exitValue()
                        + " before it answered" + output());
            }
            try (CoreClient c = CoreClient.builder().instance(paths).connectRetry(Duration.ZERO)
                    .timeout(Duration.ofSeconds(10)).build()) {
                Pong pong = c.call(new Ping());
                if (pong.pid() != pid()) {
                    throw new AssertionError("the socket of " + describe() + " is served by pid " + pong.pid()
                            + ", not by the daemon just started (pid " + pid() + ")");
                }
                return this;
            } catch (RpcException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("daemon " + describe() + " did not answer within " + timeout.toSeconds()
                        + " s; last error: " + last + output());
            }
            Await.pause(20);
        }
    }

    public InstancePaths paths() {
        return paths;
    }

    public Path dataDir() {
        return paths.dataDir();
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** A client builder for this daemon that decodes Cove's events, with a 30 s call timeout. */
    public CoreClient.Builder clientBuilder() {
        return Cove.client(paths).timeout(Duration.ofSeconds(30)).clientName("cove-tests", "0");
    }

    /** A new client, closed with this daemon. */
    public CoreClient client() {
        return track(clientBuilder().build());
    }

    /** Closes {@code c} when this daemon is closed. */
    public CoreClient track(CoreClient c) {
        clients.add(c);
        return c;
    }

    /** A raw JSON connection that has exchanged hellos. */
    public RawClient raw() {
        return RawClient.connect(paths).handshake();
    }

    /** Waits for the process to exit and returns its status; fails if it is still running after the timeout. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("daemon " + describe() + " still runs " + timeout.toMillis() + " ms later"
                        + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return process.exitValue();
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** The daemon's log file, or "" if it has none. */
    public String log() {
        return read(paths.logFile());
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** What the daemon printed and logged, for failure messages. */
    public String output() {
        return "\n--- stderr of " + describe() + " ---\n" + tail(stderr()) + "\n--- stdout ---\n" + tail(stdout())
                + "\n--- log ---\n" + tail(log());
    }

    private static String tail(String s) {
        String[] lines = s.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 30), lines.length));
    }

    private String describe() {
        return "'" + paths.instance() + "' (pid " + process.pid() + ", data " + paths.dataDir() + ")";
    }

    /** Closes this daemon's clients and kills the process (SIGKILL) if it still runs. */
    @Override
    public void close() {
        for (CoreClient c : clients) {
            c.close();
        }
        Reaper.kill(process.toHandle());
    }

    /** The exit status and output of a daemon run to its end, e.g. a second start that is refused. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs a daemon process and waits for it to exit by itself; fails if it still runs after {@code timeout}. */
    public static Result runToExit(Path dataDir, String instance, Duration timeout, String... extraArgs) {
        try (DaemonProcess d = spawn(dataDir, instance, extraArgs)) {
            int code = d.awaitExit(timeout);
            return new Result(code, d.stdout(), d.stderr());
        }
    }
}
