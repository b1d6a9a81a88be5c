package dev.cove.bench;

import dev.cove.api.Cove;
import dev.cove.api.core.Ping;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real daemon process on a private data folder, started with this JVM's class path. Extra daemon JVM
 * flags come from {@code COVE_BENCH_DAEMON_OPTS} (e.g. {@code -XX:StartFlightRecording=filename=x.jfr}).
 */
final class BenchDaemon implements AutoCloseable {
    final InstancePaths paths;
    final Process process;
    final CoreClient client;

    private BenchDaemon(InstancePaths paths, Process process, CoreClient client) {
        this.paths = paths;
        this.process = process;
        this.client = client;
    }

    static BenchDaemon start(Path dataDir) throws IOException {
        return start(dataDir, new String[0]);
    }

    /** A daemon with extra daemon arguments ({@code --config FILE}). */
    static BenchDaemon start(Path dataDir, String... daemonArgs) throws IOException {
        Files.createDirectories(dataDir);
        InstancePaths paths = new InstancePaths(dataDir, "bench");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        String extra = System.getenv("COVE_BENCH_DAEMON_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        dev.cove.rpc.client.DaemonLauncher.withHeapCeiling(cmd); // measure the daemon as `cove start` runs it
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.cove.daemon.DaemonMain",
                "--data-dir", dataDir.toString(), "--instance", paths.instance()));
        cmd.addAll(Arrays.asList(daemonArgs));
        String level = System.getenv("COVE_BENCH_LOG_LEVEL"); // e.g. debug: the daemon's log under the data folder
        if (level != null && !level.isBlank()) {
            cmd.addAll(List.of("--log-level", level.trim()));
        }
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dataDir.resolve("daemon.stdout").toFile())
                .redirectError(dataDir.resolve("daemon.stderr").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        // the socket appears once the daemon is ready; until then there is nothing to connect to
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(paths.socket())) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the daemon did not start; see " + dataDir.resolve("daemon.stderr"));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
        CoreClient c = Cove.client(paths).connectRetry(Duration.ofSeconds(60)).timeout(Duration.ofSeconds(300))
                .clientName("cove-bench", "0").build();
        long pid = c.call(new Ping()).pid();
        if (pid != p.pid()) {
            throw new IllegalStateException("another daemon (pid " + pid + ") answers on " + paths);
        }
        return new BenchDaemon(paths, p, c);
    }

    /** CPU time the daemon has used so far, user plus system, in seconds (Linux), or -1. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            // the command name in parentheses may hold spaces: count fields after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** USER_HZ: the unit of /proc/PID/stat's times; 100 on every common Linux build. */
    private static final long CLOCK_TICKS = clockTicks();

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | RuntimeException | InterruptedException e) {
            return 100;
        }
    }

    /** Resident memory of the daemon in MiB (Linux), or -1. */
    long rssMiB() {
        return status("VmRSS:");
    }

    /** The daemon's peak resident memory so far in MiB (Linux VmHWM), or -1. */
    long peakRssMiB() {
        return status("VmHWM:");
    }

    private long status(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return -1;
    }

    @Override
    public void close() {
        client.close();
        process.destroy(); // SIGTERM: graceful stop
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
