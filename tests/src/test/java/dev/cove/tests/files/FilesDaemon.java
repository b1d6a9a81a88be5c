package dev.cove.tests.files;

import dev.cove.api.Cove;
import dev.cove.api.core.Ping;
import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A daemon process for the files tests: like DaemonProcess, but with its own environment (XDG_DATA_HOME, so
 * the trash lands in the test's folder) and extra JVM properties (a copy bandwidth cap for tests that must
 * catch a copy half-way).
 */
final class FilesDaemon implements AutoCloseable {
    final InstancePaths paths;
    final Process process;
    final Path trashHome;
    private final List<CoreClient> clients = new ArrayList<>();

    private FilesDaemon(InstancePaths paths, Process process, Path trashHome) {
        this.paths = paths;
        this.process = process;
        this.trashHome = trashHome;
    }

    static FilesDaemon start(Path dataDir, String... jvmProps) {
        return start(dataDir, List.of(), jvmProps);
    }

    /**
     * A daemon that, when the tests run as root, runs without the capabilities that let root ignore file
     * permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that it meets an unreadable folder as any user
     * would. As another user the daemon needs nothing dropped.
     */
    static FilesDaemon startBoundByPermissions(Path dataDir) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return start(dataDir);
        }
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            throw new AssertionError("running as root needs /usr/bin/setpriv (util-linux) to drop CAP_DAC_OVERRIDE");
        }
        return start(dataDir, List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-dac_override,-dac_read_search"));
    }

    private static FilesDaemon start(Path dataDir, List<String> prefix, String... jvmProps) {
        InstancePaths paths = new InstancePaths(dataDir, "files");
        Path xdg = dataDir.resolveSibling(dataDir.getFileName() + "-xdg");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Jvm.java());
        cmd.addAll(Jvm.flags());
        cmd.addAll(List.of(jvmProps));
        cmd.addAll(List.of("-cp", Jvm.daemonClasspath(), Jvm.DAEMON_MAIN, "--data-dir", dataDir.toString(),
                "--instance", paths.instance()));
        try {
            Files.createDirectories(xdg);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".stdout").toFile())
                    .redirectError(dataDir.resolveSibling(dataDir.getFileName() + ".stderr").toFile());
            pb.environment().put("XDG_DATA_HOME", xdg.toString());
            Process p = pb.start();
            Reaper.register(p.toHandle());
            FilesDaemon d = new FilesDaemon(paths, p, xdg);
            d.awaitReady();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited with " + process.exitValue() + output());
            }
            try (CoreClient c = CoreClient.builder().instance(paths).connectRetry(Duration.ZERO)
                    .timeout(Duration.ofSeconds(10)).build()) {
                if (c.call(new Ping()).pid() == process.pid()) {
                    return;
                }
            } catch (RpcException e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("daemon did not answer within 40 s" + output());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    CoreClient client() {
        CoreClient c = Cove.client(paths).timeout(Duration.ofSeconds(60)).clientName("cove-files-tests", "0").build();
        clients.add(c);
        return c;
    }

    /** Polls a job until it is finished. */
    static JobInfo awaitJob(CoreClient c, long jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobInfo j = c.call(new GetJob(jobId));
            if (j.state().isFinished()) {
                return j;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + jobId + " still " + j.state() + " after " + timeout + ": " + j);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** SIGKILL, as a crash would. */
    void kill9() {
        for (CoreClient c : clients) {
            c.close();
        }
        clients.clear();
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    String output() {
        try {
            Path log = paths.logFile();
            String l = Files.exists(log) ? Files.readString(log) : "";
            return "\n--- log ---\n" + l.substring(Math.max(0, l.length() - 4000));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        for (CoreClient c : clients) {
            c.close();
        }
        Reaper.kill(process.toHandle());
    }
}
