package dev.cove.daemon;

import dev.cove.api.Cove;
import dev.cove.api.events.ClientConnected;
import dev.cove.api.events.ClientDisconnected;
import dev.cove.api.jobs.JobState;
import dev.cove.daemon.health.HeapMonitor;
import dev.cove.daemon.health.IdleMonitor;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.daemon.library.FilesDomain;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.logging.LogSetup;
import dev.cove.daemon.metrics.DaemonMetrics;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.daemon.upstream.HostIdentity;
import dev.cove.daemon.upstream.Upstream;
import dev.cove.daemon.upstream.UpstreamConfig;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.PeerInfo;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.PathRule;
import dev.cove.rpc.server.EventHub;
import dev.cove.daemon.cli.CliHost;
import dev.cove.rpc.server.OperationRegistry;
import dev.cove.rpc.server.RpcServer;
import dev.cove.rpc.server.ServerConfig;
import dev.cove.rpc.server.ServerListener;
import dev.cove.rpc.wire.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Comparator;
import java.util.List;
import java.util.ArrayList;
import java.util.stream.Stream;

/**
 * One daemon process. Start order matters: the instance lock first, before anything else touches
 * the instance; then logging, the operation registry, and finally the socket. Stop order is the
 * reverse, and the lock is released last.
 */
public final class Daemon {
    /** Exit status when another daemon already holds this instance. */
    public static final int EXIT_ALREADY_RUNNING = 1;
    /** Exit status when the daemon cannot start (bad plugin, unusable folder). */
    public static final int EXIT_START_FAILED = 3;
    /**
     * Exit status of a clean stop after which the daemon should be started again (health self-expiry):
     * EX_TEMPFAIL, non-zero so that systemd's Restart=on-failure and the supervisor both restart it.
     */
    public static final int EXIT_RESTART = 75;

    private final DaemonOptions options;

    public Daemon(DaemonOptions options) {
        this.options = options;
    }

    public int run() {
        InstancePaths paths = options.paths();
        InstanceLock lock;
        List<String> tightened;
        try {
            // the path rule before anything is written: a daemon/ that is a link or another user's is refused here,
            // with nothing changed (issue 18)
            tightened = paths.createDaemonDir();
            lock = InstanceLock.acquire(paths.lockFile());
        } catch (InstanceLock.HeldException e) {
            String who = e.holderPid().isPresent() ? " (pid " + e.holderPid().getAsLong() + ")" : "";
            String inst = paths.isDefault() ? "" : " --instance " + paths.instance();
            System.err.println("A Cove daemon for instance '" + paths.instance() + "' is already running" + who
                    + ". Check it with `cove" + inst + " ping`, or stop it with `cove" + inst + " shutdown`.");
            return EXIT_ALREADY_RUNNING;
        } catch (PathRule.UnsafeFolderException e) {
            System.err.println("Cannot use the data folder: " + e.getMessage());
            return EXIT_START_FAILED;
        } catch (IOException e) {
            System.err.println("Cannot use " + paths.daemonDir() + ": " + e.getMessage());
            return EXIT_START_FAILED;
        }
        try {
            return runLocked(paths, tightened);
        } finally {
            try {
                lock.close();
            } catch (IOException ignored) {
                // the process is ending; the kernel frees the lock anyway
            }
            if (options.isPrivate()) {
                removePrivateFiles(paths);
            }
            LogSetup.stop();
        }
    }

    private int runLocked(InstancePaths paths, List<String> tightened) {
        List<String> notes = new ArrayList<>(tightened);
        try {
            notes.addAll(paths.prepareDataFolders());
        } catch (IOException e) {
            System.err.println("Cannot use the data folders under " + paths.dataDir() + ": " + e.getMessage());
            return EXIT_START_FAILED;
        }
        LogSetup.configure(paths.logFile(), options.logLevel(), System.console() != null);
        Logger log = LoggerFactory.getLogger(Daemon.class);
        log.info("starting Cove {} for instance '{}' (pid {}, data {})", Cove.VERSION, paths.instance(),
                ProcessHandle.current().pid(), paths.dataDir());
        notes.forEach(log::warn); // said once: the next start finds them tight

        OperationRegistry.preload(Daemon.class.getClassLoader(), "dev.cove.daemon.ops"); // while databases open
        EventHub hub = new EventHub(Cove.EVENTS);
        LogSetup.publishTo(hub, options.logLevel());
        DaemonRuntime runtime = new DaemonRuntime(options, hub);
        CliHost cli = CliHost.fromEnvironment(System.getenv(), Daemon.class.getClassLoader());
        Services services = new Services().put(DaemonRuntime.class, runtime).put(EventHub.class, hub)
                .put(InstancePaths.class, paths).put(CliHost.class, cli);
        Resources resources = new Resources(log);
        DaemonOptions.Lifetime lifetime = options.lifetime();
        IdleMonitor idle = lifetime.idleTimeout().isZero() ? null : new IdleMonitor(lifetime.idleTimeout(),
                () -> runtime.server() != null && !runtime.server().clients().isEmpty() || jobsUnfinished(services),
                runtime::requestStop);
        RpcServer server;
        SessionService sessions;
        try {
            sessions = resources.open(SessionService.open(paths.instanceDataDir().resolve("sessions.db"), hub,
                    new SessionService.Settings(options.hangWindow(), options.sessionRetention(), Duration.ofMillis(200))));
            services.put(SessionService.class, sessions);
            services.put(Upstream.class, resources.open(Upstream.start(upstreamConfig(paths), sessions)));
            resources.open(FilesDomain.start(paths, hub, services));
            DaemonMetrics metrics = new DaemonMetrics(new DaemonMetrics.Sources(hub, runtime::server, sessions,
                    services.get(Upstream.class), () -> services.get(JobManager.class),
                    () -> services.get(Libraries.class)), metricsMaxSeries());
            services.put(DaemonMetrics.class, metrics);
            OperationRegistry registry = OperationRegistry.builder(services, Protocol.DEFAULT_MAX_FRAME_BYTES)
                    .scanPackages(Daemon.class.getClassLoader(), "dev.cove.daemon.ops")
                    .scanPluginJars(paths.pluginsDir(), Daemon.class.getClassLoader())
                    .build();
            log.info("{} operations registered", registry.size());
            ServerConfig config = ServerConfig.defaults(paths.socket(), paths.connectPath(), "cove", Cove.VERSION,
                    paths.instance()).withShutdownGrace(options.shutdownGrace())
                    .withBuild(System.getenv(Cove.APP.env("BUILD_ID"))); // set by bin/cove: which build it runs
            server = new RpcServer(config, registry, hub, new ServerListener() {
                @Override
                public void connected(PeerInfo p) {
                    if (idle != null) {
                        idle.activity();
                    }
                    hub.publish(new ClientConnected(p.connectionId(), p.name(), p.pid(), p.user(), Instant.now()));
                    cli.clientConnected(p.name(), paths);
                }

                @Override
                public void disconnected(PeerInfo p) {
                    if (idle != null) {
                        idle.activity();
                    }
                    hub.publish(new ClientDisconnected(p.connectionId(), p.name(), p.pid(), p.user(), Instant.now()));
                }

                @Override
                public void callEnded(String method, ErrorCode error, long nanos) {
                    metrics.callEnded(method, error, nanos);
                }
            });
            runtime.attach(server);
            server.start();
        } catch (IOException | RuntimeException e) {
            log.error("daemon failed to start: {}", e.getMessage(), e);
            resources.close();
            System.err.println("Cove daemon failed to start: " + e.getMessage());
            return EXIT_START_FAILED;
        }

        sessions.startMonitoring();
        if (idle != null) {
            resources.open(idle.start());
        }
        if (lifetime.heapLimitPercent() > 0) {
            resources.open(new HeapMonitor(lifetime.heapLimitPercent(), lifetime.heapWindow(),
                    reason -> runtime.requestStop(reason, EXIT_RESTART)).start());
        }
        installSignalHandlers(runtime);
        Thread hook = new Thread(() -> {
            runtime.requestStop("JVM shutdown");
            server.stop();
            resources.close();
        }, "cove-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);
        if (options.isPrivate()) {
            watchParent(runtime, options.parentPid(), log);
        }
        log.info("ready on {} in {} ms", paths.socket(),
                Duration.between(runtime.startedAt(), Instant.now()).toMillis());

        String reason;
        try {
            reason = runtime.awaitStop();
        } catch (InterruptedException e) {
            reason = "interrupted";
        }
        log.info("stopping: {}", reason);
        server.stop();
        resources.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down through the hook
        }
        log.info("stopped{}", runtime.exitStatus() == 0 ? "" : " (exit status " + runtime.exitStatus() + ": start again)");
        return runtime.exitStatus();
    }

    /** Forwarding's settings from the config file and the environment; null when no endpoint is set. */
    private UpstreamConfig upstreamConfig(InstancePaths paths) {
        return UpstreamConfig.from(UpstreamConfig.merged(UpstreamConfig.readFile(options.configFile()), System.getenv()),
                () -> HostIdentity.id(paths), HostIdentity::name);
    }

    /** The cap on application-labelled series per metric family: config file, then COVE_METRICS_MAX_SERIES. */
    private int metricsMaxSeries() {
        String v = System.getenv("COVE_METRICS_MAX_SERIES");
        if (v == null) {
            v = UpstreamConfig.readFile(options.configFile()).get("cove.metrics.max.series");
        }
        if (v == null) {
            return DaemonMetrics.DEFAULT_MAX_SERIES;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cove.metrics.max.series must be a whole number, not '" + v + "'");
        }
    }

    /** Whether a job is queued, running or paused: a daemon with unfinished work is not idle. */
    private static boolean jobsUnfinished(Services services) {
        JobManager jobs = services.get(JobManager.class);
        return !jobs.list(JobState.RUNNING, 1).isEmpty() || !jobs.list(JobState.QUEUED, 1).isEmpty()
                || !jobs.list(JobState.PAUSED, 1).isEmpty();
    }

    private static void installSignalHandlers(DaemonRuntime runtime) {
        for (String sig : new String[]{"TERM", "INT", "HUP"}) {
            try {
                if (sig.equals("HUP")) {
                    Signal.handle(new Signal(sig), s -> { }); // a closed terminal must not stop a daemon
                } else {
                    Signal.handle(new Signal(sig), s -> runtime.requestStop("SIG" + s.getName()));
                }
            } catch (IllegalArgumentException ignored) {
                // signal not available on this platform or already taken by the JVM (-Xrs)
            }
        }
    }

    private static void watchParent(DaemonRuntime runtime, long parentPid, Logger log) {
        var parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            log.warn("parent process {} is already gone", parentPid);
            runtime.requestStop("parent process " + parentPid + " is gone");
            return;
        }
        log.info("private daemon: stops when process {} exits", parentPid);
        parent.get().onExit().thenRun(() -> runtime.requestStop("parent process " + parentPid + " exited"));
    }

    /** A private instance leaves nothing behind: socket, lock, logs and data all go. */
    private static void removePrivateFiles(InstancePaths paths) {
        try {
            Files.deleteIfExists(paths.socket());
            Files.deleteIfExists(paths.lockFile());
            Files.deleteIfExists(paths.spawnLockFile());
            Files.deleteIfExists(paths.startupOutput());
            try (Stream<Path> logs = Files.list(paths.logDir())) {
                String prefix = paths.logFile().getFileName().toString().replaceFirst("\\.log$", "");
                logs.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(p -> p.toFile().delete());
            }
            if (!paths.isDefault() && Files.isDirectory(paths.instanceDataDir())) {
                try (Stream<Path> walk = Files.walk(paths.instanceDataDir())) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException ignored) {
            // best effort: the process is ending
        }
    }

    /** What the daemon opened, closed in reverse order exactly once, from whichever path stops first. */
    private static final class Resources {
        private final Deque<AutoCloseable> open = new ArrayDeque<>();
        private final Logger log;

        Resources(Logger log) {
            this.log = log;
        }

        synchronized <T extends AutoCloseable> T open(T resource) {
            open.push(resource);
            return resource;
        }

        synchronized void close() {
            while (!open.isEmpty()) {
                AutoCloseable r = open.pop();
                try {
                    r.close();
                } catch (Exception e) {
                    log.warn("closing {} failed: {}", r.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }
}
