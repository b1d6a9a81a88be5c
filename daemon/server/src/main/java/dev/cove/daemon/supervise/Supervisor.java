package dev.cove.daemon.supervise;

import dev.cove.api.events.LogLevel;
import dev.cove.daemon.Daemon;
import dev.cove.daemon.DaemonMain;
import dev.cove.daemon.DaemonOptions;
import dev.cove.daemon.logging.LogSetup;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code cove start --supervise}: a small process that runs the daemon as its child and starts it again
 * when it crashes, with backoff, until the daemon stops cleanly or crashes too often.
 *
 * <p>It lives in the daemon's jar and is entered through {@code DaemonMain --supervise}, so every way of
 * starting a daemon (the CLI's launcher, {@code cove daemon}, a client's auto-start) can start a supervisor
 * with one extra argument and no second launch mechanism. It re-runs the very JVM it runs in (same java
 * binary, JVM flags and class path) for the daemon, so the daemon gets exactly the options it was started
 * with. It shares nothing with the daemon but the instance's files: its own lock next to the daemon's,
 * its own log, and the daemon's exit status, which says what happened:
 * <ul>
 *   <li>0: a clean stop ({@code cove stop}, core.shutdown, SIGTERM to the daemon, idle timeout): the
 *       supervisor stops too;</li>
 *   <li>{@value Daemon#EXIT_RESTART}: the daemon stopped cleanly to be replaced (heap self-expiry):
 *       started again at once, not counted as a crash;</li>
 *   <li>1 with another live daemon holding the instance, or 2 (the daemon refuses its options): starting
 *       again cannot help, so the supervisor gives up at once;</li>
 *   <li>anything else (killed, start failed, JVM crash): a crash, restarted after a backoff.</li>
 * </ul>
 * A SIGTERM or SIGINT to the supervisor is passed to the daemon as SIGTERM, and neither restarts.
 */
public final class Supervisor {
    /** Exit status when the supervisor gave up after too many crashes. */
    public static final int EXIT_GAVE_UP = 4;

    /**
     * Restart policy: wait {@code initialBackoff} after a crash, doubling up to {@code maxBackoff}, back to
     * the start once a daemon ran {@code stableAfter}; give up at {@code maxCrashes} within {@code crashWindow}.
     */
    public record Policy(Duration initialBackoff, Duration maxBackoff, Duration stableAfter, int maxCrashes,
                         Duration crashWindow) {
        public static final Policy DEFAULT = new Policy(Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofSeconds(60), 5, Duration.ofSeconds(60));
    }

    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final InstancePaths paths;
    private final List<String> daemonArgs;
    private final Policy policy;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile Process daemon;
    private volatile String stopReason;
    private int restarts;
    private String lastExit;

    Supervisor(InstancePaths paths, List<String> daemonArgs, Policy policy) {
        this.paths = paths;
        this.daemonArgs = List.copyOf(daemonArgs);
        this.policy = policy;
    }

    /** Entered from {@link DaemonMain} with the daemon's arguments, {@code --supervise} already removed. */
    public static int run(List<String> daemonArgs) {
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(daemonArgs); // a bad option fails here, once, not in a restart loop
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (options.isPrivate()) {
            System.err.println("--supervise and --parent-pid do not go together: a private daemon ends with its "
                    + "parent, and a supervisor would start it again");
            return 2;
        }
        InstancePaths paths = options.paths();
        InstanceLock lock;
        try {
            paths.enterDaemonDir(); // its daemon tightens what is loose, and logs it
            dev.cove.rpc.instance.PathRule.ensure(paths.logDir(), false);
            lock = acquire(paths.supervisorLockFile());
        } catch (InstanceLock.HeldException e) {
            String who = e.holderPid().isPresent() ? " (pid " + e.holderPid().getAsLong() + ")" : "";
            String inst = paths.isDefault() ? "" : " --instance " + paths.instance();
            System.err.println("A Cove supervisor" + who + " already watches instance '" + paths.instance()
                    + "'. Stop it and its daemon with `cove" + inst + " stop`.");
            return Daemon.EXIT_ALREADY_RUNNING;
        } catch (IOException e) {
            System.err.println("Cannot use " + paths.daemonDir() + ": " + e.getMessage());
            return Daemon.EXIT_START_FAILED;
        }
        LogSetup.configure(paths.supervisorLogFile(), LogLevel.INFO, false);
        try {
            return new Supervisor(paths, daemonArgs, Policy.DEFAULT).superviseLoop();
        } finally {
            try {
                Files.deleteIfExists(paths.supervisorStateFile());
                lock.close();
            } catch (IOException ignored) {
                // the process is ending; the kernel frees the lock anyway
            }
            LogSetup.stop();
        }
    }

    /**
     * Takes the supervisor lock, waiting a little for a supervisor that is on its way out: `cove stop`
     * returns once the daemon is gone, and its supervisor exits a moment later.
     */
    private static InstanceLock acquire(Path file) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (true) {
            try {
                return InstanceLock.acquire(file);
            } catch (InstanceLock.HeldException e) {
                boolean leaving = e.holderPid().isEmpty() || ProcessHandle.of(e.holderPid().getAsLong())
                        .map(ProcessHandle::isAlive).orElse(false);
                if (System.nanoTime() > deadline || !leaving) {
                    throw e;
                }
                sleep(50); // poll: the old supervisor's exit frees the lock, and nothing announces it
            }
        }
    }

    int superviseLoop() {
        installSignalHandlers();
        log.info("supervisor for instance '{}' started (pid {}); daemon command: {}", paths.instance(),
                ProcessHandle.current().pid(), String.join(" ", daemonCommand()));
        Deque<Long> crashes = new ArrayDeque<>(); // System.nanoTime() of recent crashes
        Duration backoff = policy.initialBackoff();
        while (true) {
            long started = System.nanoTime();
            Process p;
            try {
                p = new ProcessBuilder(daemonCommand()).inheritIO()
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            } catch (IOException e) {
                log.error("cannot start the daemon: {}; giving up", e.toString());
                return Daemon.EXIT_START_FAILED;
            }
            daemon = p;
            log.info("daemon started (pid {}{})", p.pid(), restarts == 0 ? "" : ", restart " + restarts);
            writeState(p.pid(), null);
            if (stopRequested.getCount() == 0) {
                p.destroy(); // a stop arrived while it was being started
            }
            int status = waitFor(p);
            Duration ran = Duration.ofNanos(System.nanoTime() - started);
            String what = describe(status);
            writeState(-1, what);
            if (stopRequested.getCount() == 0) {
                log.info("daemon (pid {}) {} after a stop request ({}); supervisor stops", p.pid(), what, stopReason);
                return 0;
            }
            switch (status) {
                case 0 -> {
                    log.info("daemon (pid {}) stopped cleanly after {}; supervisor stops too", p.pid(), format(ran));
                    return 0;
                }
                case Daemon.EXIT_RESTART -> {
                    log.info("daemon (pid {}) stopped to be replaced (see its log for why); starting a fresh one",
                            p.pid());
                    restarts++;
                    continue;
                }
                case Daemon.EXIT_ALREADY_RUNNING -> {
                    // 1 is also the JVM's status for an uncaught error in main: only a live other holder means "taken"
                    java.util.OptionalLong other = InstanceLock.readPid(paths.lockFile());
                    if (other.isPresent() && other.getAsLong() != p.pid() && ProcessHandle.of(other.getAsLong())
                            .map(ProcessHandle::isAlive).orElse(false)) {
                        log.error("daemon (pid {}) could not start: another daemon (pid {}) holds instance '{}'. Giving "
                                + "up: that one runs unsupervised. Stop it with `cove stop`, then `cove start "
                                + "--supervise`", p.pid(), other.getAsLong(), paths.instance());
                        return Daemon.EXIT_ALREADY_RUNNING;
                    }
                }
                case 2 -> {
                    log.error("daemon (pid {}) refused its options (exit status 2; see {}). Giving up: starting "
                            + "it again cannot help", p.pid(), paths.startupOutput());
                    return 2;
                }
                default -> {
                }
            }
            long now = System.nanoTime();
            if (ran.compareTo(policy.stableAfter()) >= 0) {
                backoff = policy.initialBackoff(); // it ran well for a while: this is a new, isolated crash
            }
            crashes.addLast(now);
            while (!crashes.isEmpty() && now - crashes.peekFirst() > policy.crashWindow().toNanos()) {
                crashes.removeFirst();
            }
            if (crashes.size() >= policy.maxCrashes()) {
                log.error("daemon (pid {}) {} after {}: {} crashes within {}. Giving up; the daemon is not "
                                + "restarted. Find the cause in {} and {}, then start it again with `cove{} start "
                                + "--supervise`", p.pid(), what, format(ran), crashes.size(), format(policy.crashWindow()),
                        paths.logFile(), paths.startupOutput(), paths.isDefault() ? "" : " --instance " + paths.instance());
                writeState(-1, what + "; gave up after " + crashes.size() + " crashes");
                return EXIT_GAVE_UP;
            }
            log.warn("daemon (pid {}) {} after {}; restarting in {} (crash {}; the supervisor gives up at {} within {})",
                    p.pid(), what, format(ran), format(backoff), crashes.size(), policy.maxCrashes(),
                    format(policy.crashWindow()));
            try {
                if (stopRequested.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.info("stop requested ({}) while waiting to restart; supervisor stops", stopReason);
                    return 0;
                }
            } catch (InterruptedException e) {
                return 0;
            }
            backoff = backoff.multipliedBy(2).compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff()
                    : backoff.multipliedBy(2);
            restarts++;
        }
    }

    private static int waitFor(Process p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException ignored) {
                // only a stop interrupts, and that goes through the daemon's own exit
            }
        }
    }

    /** The daemon's command: this JVM's java binary, JVM flags and class path, running DaemonMain. */
    private List<String> daemonCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonMain.class.getName()));
        cmd.addAll(daemonArgs);
        return cmd;
    }

    private void installSignalHandlers() {
        for (String sig : new String[]{"TERM", "INT", "HUP"}) {
            try {
                if (sig.equals("HUP")) {
                    Signal.handle(new Signal(sig), s -> { }); // a closed terminal must not stop the supervisor
                } else {
                    Signal.handle(new Signal(sig), s -> requestStop("SIG" + s.getName()));
                }
            } catch (IllegalArgumentException ignored) {
                // not available here
            }
        }
    }

    private void requestStop(String reason) {
        synchronized (this) {
            if (stopReason == null) {
                stopReason = reason;
            }
        }
        stopRequested.countDown();
        Process p = daemon;
        if (p != null && p.isAlive()) {
            log.info("{}: stopping the daemon (pid {}) with SIGTERM", reason, p.pid());
            p.destroy(); // SIGTERM: the daemon's own graceful stop
        }
    }

    /** {@code key=value} lines that `cove status` and `cove doctor` read; written whole, then renamed. */
    private void writeState(long daemonPid, String exit) {
        if (exit != null) {
            lastExit = exit;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("pid=").append(ProcessHandle.current().pid()).append('\n');
        sb.append("daemonPid=").append(daemonPid).append('\n');
        sb.append("restarts=").append(restarts).append('\n');
        sb.append("updated=").append(Instant.now()).append('\n');
        if (lastExit != null) {
            sb.append("lastExit=").append(lastExit.replace('\n', ' ')).append('\n');
        }
        Path file = paths.supervisorStateFile();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.debug("cannot write {}: {}", file, e.toString());
        }
    }

    /** "exited with status 3", "was killed by SIGKILL". */
    static String describe(int status) {
        if (status > 128 && status < 160) {
            int sig = status - 128;
            String name = switch (sig) {
                case 9 -> "SIGKILL";
                case 15 -> "SIGTERM";
                case 6 -> "SIGABRT";
                case 11 -> "SIGSEGV";
                case 2 -> "SIGINT";
                case 1 -> "SIGHUP";
                default -> "signal " + sig;
            };
            return "was killed by " + name;
        }
        return "exited with status " + status + (status == Daemon.EXIT_START_FAILED ? " (failed to start)" : "");
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
