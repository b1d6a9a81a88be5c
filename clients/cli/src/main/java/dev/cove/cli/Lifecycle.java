package dev.cove.cli;

import dev.cove.api.core.CompareSettings;
import dev.cove.api.core.SettingsComparison;
import dev.cove.api.core.Shutdown;
import dev.cove.api.core.ShutdownAccepted;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;
import dev.cove.rpc.client.ServerHello;
import dev.cove.rpc.instance.InstancePaths;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/** Starting and stopping a background daemon: shared by start, shutdown and restart. */
public final class Lifecycle {
    private Lifecycle() {
    }

    /**
     * Starts a background daemon unless one answers already, and waits until it answers.
     *
     * @param daemonArgs extra arguments for the daemon, e.g. {@code --log-level debug}
     */
    public static int start(CoveCli cove, List<String> daemonArgs, Duration timeout) {
        DaemonLauncher base = cove.launcher();
        AtomicBoolean launched = new AtomicBoolean();
        DaemonLauncher launcher = (paths, extra) -> {
            launched.set(true);
            List<String> args = new ArrayList<>(extra);
            args.addAll(daemonArgs);
            return base.start(paths, args);
        };
        InstancePaths paths = cove.paths();
        ServerHello hello;
        // the client connects if a daemon answers, and otherwise starts one; the spawn lock makes racing starts start one
        try (CoreClient client = cove.clientBuilder().autoStart(launcher).startTimeout(timeout)
                .connectRetry(Duration.ofMillis(200)).build()) {
            hello = client.connect();
        }
        PrintWriter out = cove.out();
        List<SettingsComparison.Difference> differing = launched.get() ? List.of() : differing(cove, daemonArgs);
        if (cove.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("started", launched.get());
            m.put("instance", hello.instance());
            m.put("pid", hello.pid());
            m.put("version", hello.version());
            m.put("socket", paths.socket().toString());
            m.put("logFile", paths.logFile().toString());
            if (!differing.isEmpty()) {
                m.put("differing", differing);
            }
            cove.printJson(m);
        } else if (launched.get()) {
            Views.started(out, hello.instance(), hello.pid(), hello.version(), paths.socket().toString(),
                    paths.logFile().toString());
        } else if (differing.isEmpty()) {
            Views.alreadyRunning(out, hello.instance(), hello.pid());
        }
        if (!differing.isEmpty()) {
            StringBuilder m = new StringBuilder("a Cove daemon already runs for instance '" + hello.instance()
                    + "' (pid " + hello.pid() + ") with other settings than those given:");
            for (SettingsComparison.Difference d : differing) {
                m.append("\n  --").append(d.option()).append(": it runs with ").append(shown(d.running()))
                        .append(", given ").append(shown(d.given()));
            }
            m.append("\nRun `").append(cove.command("restart " + String.join(" ", withoutSupervise(daemonArgs))))
                    .append("` to apply them: the daemon stops and starts again with them.");
            throw new CliException(ExitCodes.SETTINGS_DIFFER, m.toString());
        }
        return ExitCodes.OK;
    }

    /** The options given to {@code cove start} whose values the running daemon does not have. */
    private static List<SettingsComparison.Difference> differing(CoveCli cove, List<String> daemonArgs) {
        List<String> given = withoutSupervise(daemonArgs);
        if (given.isEmpty()) {
            return List.of();
        }
        try (CoreClient client = cove.client()) {
            return client.call(new CompareSettings(given)).differing();
        }
    }

    /** {@code --supervise} is the CLI's to handle (StartCommand refuses it for an unsupervised daemon). */
    private static List<String> withoutSupervise(List<String> daemonArgs) {
        return daemonArgs.stream().filter(a -> !a.equals("--supervise")).toList();
    }

    private static String shown(String value) {
        return value.isEmpty() ? "none" : value.equals("0") ? "0 (off)" : value;
    }

    /**
     * Asks the daemon to shut down, then waits until its process and socket are gone, so that a
     * following start succeeds. Prints progress for people; with --json it prints nothing.
     *
     * @return the stopped daemon's pid
     * @throws CliException with {@link ExitCodes#UNAVAILABLE} when no daemon runs
     */
    public static long stop(CoveCli cove, String reason, Duration timeout) {
        InstancePaths paths = cove.paths();
        PrintWriter out = cove.out();
        long pid;
        // read before the stop: the supervisor exits (and its state goes) right after its daemon
        Optional<Supervision> supervisor = Supervision.of(paths);
        try (CoreClient client = cove.client()) {
            try {
                pid = client.connect().pid();
            } catch (RpcException e) {
                if (e.code() == ErrorCode.UNAVAILABLE && supervisor.isPresent()) {
                    // between a crash and its restart: no socket, or the dead daemon's stale one
                    return stopSupervisor(cove, supervisor.get(), timeout);
                }
                if ("not_running".equals(e.details().get("reason"))) {
                    throw new CliException(ExitCodes.UNAVAILABLE, "no Cove daemon is running for instance '"
                            + paths.instance() + "' (there is no socket at " + paths.socket() + "); nothing to stop");
                }
                throw e;
            }
            try {
                ShutdownAccepted accepted = client.call(new Shutdown(reason), Duration.ofSeconds(10));
                if (!cove.json()) {
                    out.println(accepted.message());
                }
            } catch (RpcException e) {
                if (e.code() != ErrorCode.SHUTTING_DOWN) {
                    throw e;
                }
                if (!cove.json()) {
                    out.println("Daemon shutdown already in progress");
                }
            }
        }
        if (!awaitGone(paths, pid, timeout)) {
            throw new CliException(ExitCodes.TIMEOUT, "the daemon (pid " + pid + ") accepted the shutdown but is "
                    + "still running after " + timeout.toSeconds() + " s; see `" + cove.command("logs") + "`, or end it "
                    + "with `kill " + pid + "`");
        }
        // a supervisor sees the clean exit and stops too; wait for it, so that `start --supervise` can follow
        if (supervisor.isPresent() && !awaitGone(paths, supervisor.get().pid(), Duration.ofSeconds(10))) {
            throw new CliException(ExitCodes.TIMEOUT, "the daemon stopped, but its supervisor (pid "
                    + supervisor.get().pid() + ") still runs; end it with `kill " + supervisor.get().pid() + "`");
        }
        if (!cove.json()) {
            out.printf("Cove daemon stopped (instance %s, pid %d)%s%n", paths.instance(), pid,
                    supervisor.map(s -> ", and its supervisor (pid " + s.pid() + ")").orElse(""));
        }
        return pid;
    }

    /** Stops a supervisor whose daemon is not running (it is waiting to restart it): SIGTERM, then wait. */
    private static long stopSupervisor(CoveCli cove, Supervision s, Duration timeout) {
        ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroy);
        if (!awaitGone(cove.paths(), s.pid(), timeout)) {
            throw new CliException(ExitCodes.TIMEOUT, "the supervisor (pid " + s.pid() + ") still runs " + timeout.toSeconds()
                    + " s after SIGTERM; end it with `kill -9 " + s.pid() + "`");
        }
        if (!cove.json()) {
            cove.out().printf("No daemon was running; stopped its supervisor (pid %d)%n", s.pid());
        }
        return s.pid();
    }

    /**
     * Waits until the daemon's process has exited and its socket file is gone. A daemon deletes its
     * socket before it exits; one that died leaves a stale socket, which the next daemon replaces, so
     * once the process is gone only a short wait for the file is worthwhile.
     */
    static boolean awaitGone(InstancePaths paths, long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        long exitedAt = 0;
        while (true) {
            boolean alive = process.map(ProcessHandle::isAlive).orElse(false);
            boolean socket = Files.exists(paths.socket());
            if (!alive && !socket) {
                return true;
            }
            long now = System.nanoTime();
            if (!alive) {
                exitedAt = exitedAt == 0 ? now : exitedAt;
                if (now - exitedAt > TimeUnit.SECONDS.toNanos(1)) {
                    return true; // died without removing its socket: stale, and replaced by the next start
                }
            }
            if (now > deadline) {
                return false;
            }
            pause(process.filter(p -> alive));
        }
    }

    /** Waits a little: for the process to exit if there is one, else a short poll interval. */
    private static void pause(Optional<ProcessHandle> alive) {
        try {
            if (alive.isPresent()) {
                alive.get().onExit().get(20, TimeUnit.MILLISECONDS);
            } else {
                Thread.sleep(10); // polling for the socket file: there is nothing to wait on
            }
        } catch (TimeoutException | ExecutionException ignored) {
            // poll again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted while waiting for the daemon to stop");
        }
    }
}
