package dev.cove.rpc.host;

import dev.cove.rpc.AppIdentity;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.Requests;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.server.EventHub;
import dev.cove.rpc.server.HandlerFactory;
import dev.cove.rpc.server.OperationRegistry;
import dev.cove.rpc.server.RpcServer;
import dev.cove.rpc.server.ServerConfig;
import dev.cove.rpc.wire.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * What every daemon built on the framework does around its operations, in the order that keeps an instance
 * safe: take the instance lock first (a second daemon of the same instance exits with
 * {@link #EXIT_ALREADY_RUNNING} and touches nothing), create the private daemon folder, build the registry from
 * the application's operation packages plus the built-in {@link Ping} and {@link Shutdown}, bind the socket,
 * serve until a shutdown call, SIGTERM/SIGINT or the parent's exit, then stop in reverse and release the lock.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     System.exit(DaemonHost.fromArgs(APP, args).version("1.0").operations(MyOps.class)
 *             .events(EventTypes.of(List.of(Changed.class))).service(Store.class, store).run());
 * }
 * }</pre>
 *
 * <p>Handlers get their constructor arguments by type from the services: those given to {@link Builder#service},
 * and always this host, its {@link InstancePaths} and its {@link EventHub}.
 */
public final class DaemonHost {
    /** Exit status when another daemon already holds the instance. */
    public static final int EXIT_ALREADY_RUNNING = 1;
    /** Exit status when the command line is wrong. */
    public static final int EXIT_USAGE = 2;
    /** Exit status when the daemon cannot start (unusable folder, bad operation class, socket in use). */
    public static final int EXIT_START_FAILED = 3;

    private static final Logger log = LoggerFactory.getLogger(DaemonHost.class);

    private final Builder b;
    private final EventHub hub;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile String stopReason;

    private DaemonHost(Builder b) {
        this.b = b;
        this.hub = new EventHub(b.events);
    }

    public static Builder builder(InstancePaths paths) {
        return new Builder(paths);
    }

    /**
     * A builder from the arguments a {@link dev.cove.rpc.client.DaemonLauncher} passes: {@code --data-dir DIR},
     * {@code --instance NAME} and {@code --parent-pid PID} (a private daemon, which stops when that process
     * exits); missing ones take the application's defaults. A leading {@code daemon} word is skipped. Wrong
     * arguments make {@link #run()} log what is wrong and return {@link #EXIT_USAGE}.
     */
    public static Builder fromArgs(AppIdentity app, String... args) {
        Path dataDir = null;
        String instance = null;
        long parent = 0;
        try {
            for (int i = args.length > 0 && args[0].equals("daemon") ? 1 : 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length || !List.of("--data-dir", "--instance", "--parent-pid").contains(a)) {
                    throw new IllegalArgumentException("unknown daemon argument '" + a + "'; expected --data-dir DIR, "
                            + "--instance NAME or --parent-pid PID");
                }
                String v = args[++i];
                switch (a) {
                    case "--data-dir" -> dataDir = Path.of(v);
                    case "--instance" -> instance = v;
                    default -> parent = Long.parseLong(v);
                }
            }
            return builder(InstancePaths.resolve(app, dataDir, instance)).parentPid(parent);
        } catch (IllegalArgumentException e) { // NumberFormatException and InvalidPathException too
            Builder b = new Builder(null);
            b.problem = e.getMessage();
            return b;
        }
    }

    /** Opens a service once the daemon holds its instance lock, so a refused second daemon never opens it. */
    @FunctionalInterface
    public interface Opener<T> {
        T open(DaemonHost host) throws Exception;
    }

    public static final class Builder {
        private final InstancePaths paths;
        private String version = "0";
        private final List<Object[]> packages = new ArrayList<>();
        private EventTypes events = EventTypes.none();
        private final Map<Class<?>, Object> services = new LinkedHashMap<>();
        private UnaryOperator<ServerConfig> config = UnaryOperator.identity();
        private long parentPid;
        private final Map<Class<?>, Opener<?>> openers = new LinkedHashMap<>();
        private String problem;

        private Builder(InstancePaths paths) {
            this.paths = paths;
        }

        /** The version the hello and {@link Ping} report. */
        public Builder version(String version) {
            this.version = version;
            return this;
        }

        /** Serve the {@code @Query}/{@code @Action} handlers in these packages of this class loader. */
        public Builder operations(ClassLoader loader, String... packageNames) {
            packages.add(new Object[]{loader, packageNames});
            return this;
        }

        /** Serve the handlers in the package of {@code anchor} (and below it). */
        public Builder operations(Class<?> anchor) {
            return operations(anchor.getClassLoader(), anchor.getPackageName());
        }

        /** The event types the daemon publishes (on {@link #hub()}) and clients may subscribe to. */
        public Builder events(EventTypes events) {
            this.events = events;
            return this;
        }

        /**
         * Something handlers take in their constructor, found by its type. A service that is {@link AutoCloseable}
         * is closed after the server has stopped (so after the last call), in the reverse order of adding.
         */
        public <T> Builder service(Class<T> type, T service) {
            services.put(type, service);
            return this;
        }

        /**
         * A service opened by {@code opener} after the instance lock is taken and before the socket is bound
         * (a store, say), and closed like those of {@link #service}.
         */
        public <T> Builder open(Class<T> type, Opener<? extends T> opener) {
            openers.put(type, opener);
            return this;
        }

        /** Changes the server's limits (frame size, connections, grace period) from the defaults. */
        public Builder config(UnaryOperator<ServerConfig> change) {
            this.config = change;
            return this;
        }

        /** Stop when the process {@code pid} exits (0: never). */
        public Builder parentPid(long pid) {
            this.parentPid = pid;
            return this;
        }

        public DaemonHost build() {
            return new DaemonHost(this);
        }

        /** Builds the host and {@link DaemonHost#run() runs} it. */
        public int run() {
            return build().run();
        }
    }

    public AppIdentity app() {
        return b.paths.app();
    }

    public InstancePaths paths() {
        return b.paths;
    }

    public String version() {
        return b.version;
    }

    /** Where the daemon publishes events for its subscribers. */
    public EventHub hub() {
        return hub;
    }

    /**
     * Completes once the socket is bound and calls are served; fails with the exit status as message if
     * {@link #run()} returns before that. For programs that run a host in one of their own threads.
     */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Stops the daemon gracefully; returns at once. */
    public void requestStop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
        stopRequested.countDown();
    }

    /**
     * Runs the daemon in this thread until it is stopped. Returns 0 after a graceful stop,
     * {@link #EXIT_ALREADY_RUNNING}, {@link #EXIT_USAGE} or {@link #EXIT_START_FAILED}; every failure is logged with
     * what to do.
     */
    public int run() {
        int status = runToEnd();
        ready.completeExceptionally(new IllegalStateException("the daemon ended with exit status " + status
                + " before it was ready"));
        return status;
    }

    private int runToEnd() {
        if (b.problem != null) {
            log.error("{}", b.problem);
            return EXIT_USAGE;
        }
        InstancePaths paths = b.paths;
        AppIdentity app = paths.app();
        InstanceLock lock;
        try {
            paths.createDaemonDir();
            lock = InstanceLock.acquire(paths.lockFile());
        } catch (InstanceLock.HeldException e) {
            String who = e.holderPid().isPresent() ? " (pid " + e.holderPid().getAsLong() + ")" : "";
            String inst = paths.isDefault() ? "" : " --instance " + paths.instance();
            log.error("A {} daemon for instance '{}' is already running{}; stop it with `{}{} shutdown`",
                    app.displayName(), paths.instance(), who, app.command(), inst);
            return EXIT_ALREADY_RUNNING;
        } catch (IOException e) {
            log.error("Cannot use {}: {}", paths.daemonDir(), e.getMessage());
            return EXIT_START_FAILED;
        }
        Deque<AutoCloseable> open = new ArrayDeque<>();
        Thread hook = new Thread(() -> {
            requestStop("JVM shutdown (a signal)");
            try {
                stopped.await(30, TimeUnit.SECONDS); // let run() stop the server and release the lock
            } catch (InterruptedException ignored) {
                // the JVM is going anyway
            }
        }, app.name() + "-shutdown-hook");
        try {
            Files.createDirectories(paths.instanceDataDir());
            RpcServer server = new RpcServer(b.config.apply(ServerConfig.defaults(paths.socket(), paths.connectPath(),
                    app.name(), b.version, paths.instance()).withBuild(System.getenv(app.env("BUILD_ID")))),
                    registry(), hub, null);
            server.start();
            open.push(server);
            Runtime.getRuntime().addShutdownHook(hook);
            if (b.parentPid != 0) {
                ProcessHandle.of(b.parentPid).ifPresentOrElse(
                        p -> p.onExit().thenRun(() -> requestStop("parent process " + b.parentPid + " exited")),
                        () -> requestStop("parent process " + b.parentPid + " is gone"));
            }
            ready.complete(null);
            log.info("{} {} ready for instance '{}' on {} (pid {})", app.displayName(), b.version, paths.instance(),
                    paths.socket(), ProcessHandle.current().pid());
            stopRequested.await();
            log.info("stopping: {}", stopReason);
            return 0;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return 0;
            }
            log.error("{} daemon failed to start: {}", app.displayName(), e.getMessage(), e);
            return EXIT_START_FAILED;
        } finally {
            close(open);
            closeServices();
            try {
                lock.close();
            } catch (IOException ignored) {
                // the process is ending; the kernel frees the lock anyway
            }
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException ignored) {
                // already shutting down through the hook, or never added
            }
        }
    }

    private OperationRegistry registry() throws Exception {
        for (Map.Entry<Class<?>, Opener<?>> o : b.openers.entrySet()) {
            b.services.put(o.getKey(), o.getValue().open(this));
        }
        Map<Class<?>, Object> services = new LinkedHashMap<>(b.services);
        services.put(DaemonHost.class, this);
        services.put(InstancePaths.class, b.paths);
        services.put(EventHub.class, hub);
        OperationRegistry.Builder r = OperationRegistry.builder(injecting(services), Protocol.DEFAULT_MAX_FRAME_BYTES);
        for (Object[] p : b.packages) {
            r.scanPackages((ClassLoader) p[0], (String[]) p[1]);
        }
        // the application's own ping or shutdown, if it has one, wins over the built-in
        if (!r.has(Requests.info(Ping.class).method().wire())) {
            r.add(PingOp.class);
        }
        if (!r.has(Requests.info(Shutdown.class).method().wire())) {
            r.add(ShutdownOp.class);
        }
        OperationRegistry built = r.build();
        log.info("{} operations registered", built.size());
        return built;
    }

    /** Calls a handler's public constructor with the services its parameter types name. */
    private static HandlerFactory injecting(Map<Class<?>, Object> services) {
        return type -> {
            Constructor<?>[] cs = type.getConstructors();
            if (cs.length != 1) {
                throw new IllegalStateException(type.getName() + " needs exactly one public constructor, not " + cs.length);
            }
            Class<?>[] params = cs[0].getParameterTypes();
            Object[] args = new Object[params.length];
            for (int i = 0; i < params.length; i++) {
                Object s = services.get(params[i]);
                if (s == null) {
                    throw new IllegalStateException(type.getName() + " takes a " + params[i].getName()
                            + ", which is no service of this daemon: pass it with DaemonHost.Builder.service(...)");
                }
                args[i] = s;
            }
            return cs[0].newInstance(args);
        };
    }

    private void closeServices() {
        List<Object> all = new ArrayList<>(b.services.values());
        java.util.Collections.reverse(all);
        Deque<AutoCloseable> closeables = new ArrayDeque<>();
        for (Object s : all) {
            if (s instanceof AutoCloseable c) {
                closeables.add(c);
            }
        }
        close(closeables);
    }

    private static void close(Deque<AutoCloseable> open) {
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
