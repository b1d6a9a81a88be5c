package dev.cove.rpc.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.AppIdentity;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.Event;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.Request;
import dev.cove.rpc.Requests;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.codec.Payloads;
import dev.cove.rpc.instance.DaemonSocket;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.PathRule;
import dev.cove.rpc.wire.FrameBuilder;
import dev.cove.rpc.wire.LineReader;
import dev.cove.rpc.wire.Protocol;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one way programs talk to a daemon. A client holds one connection, shared by all threads,
 * with any number of calls in flight; it connects on first use and reconnects on the next call
 * after a lost connection.
 *
 * <pre>{@code
 * try (CoreClient client = CoreClient.builder().instance(paths).autoStart().build()) {
 *     Pong pong = client.call(new Ping());
 * }
 * }</pre>
 */
public final class CoreClient implements AutoCloseable {
    private static final Map<Path, ReentrantLock> SPAWN_LOCKS = new ConcurrentHashMap<>();

    private final InstancePaths paths;
    /** Names the program in messages and threads; null for a bare socket in a process that declares none. */
    private final AppIdentity app;
    private final Path socket;
    private final String name;
    private final String version;
    private final Encoding encoding;
    private final Duration timeout;
    private final Duration connectRetry;
    private final Duration startTimeout;
    private final DaemonLauncher launcher;
    private final boolean autoStartWanted;
    private final List<String> launchArgs;
    private final EventTypes eventTypes;
    private final int streamBuffer;
    private final AtomicLong ids = new AtomicLong();
    private final ReentrantLock connectLock = new ReentrantLock();
    private final Map<Class<?>, Payloads> payloads = new ConcurrentHashMap<>();
    private final Set<Class<?>> jsonOnly = ConcurrentHashMap.newKeySet();
    private final Payloads generic = new Payloads(Protocol.DEFAULT_MAX_FRAME_BYTES, List.of());
    private volatile ClientConnection connection;
    private volatile boolean closed;

    private CoreClient(Builder b) {
        this.paths = b.paths;
        this.app = b.paths != null ? b.paths.app() : ambientOrNull();
        this.socket = b.socket != null ? b.socket : b.paths.socket();
        this.name = b.name;
        this.version = b.version;
        this.encoding = b.encoding;
        this.timeout = b.timeout;
        this.connectRetry = b.connectRetry;
        this.startTimeout = b.startTimeout;
        this.launcher = b.launcher;
        this.autoStartWanted = b.autoStartWanted;
        this.launchArgs = List.copyOf(b.launchArgs);
        this.eventTypes = b.eventTypes;
        this.streamBuffer = b.streamBuffer;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link CoreClient}; only {@link #instance} or {@link #socket} is required. */
    public static final class Builder {
        private InstancePaths paths;
        private Path socket;
        private String name = "java-client";
        private String version = "0.1.0";
        private Encoding encoding = Encoding.KRYO;
        private Duration timeout = Duration.ofMinutes(2);
        private Duration connectRetry = Duration.ofMillis(500);
        private Duration startTimeout = Duration.ofSeconds(30);
        private DaemonLauncher launcher;
        private boolean autoStartWanted;
        private boolean launcherFromEnvironment;
        private final List<String> launchArgs = new ArrayList<>();
        private EventTypes eventTypes = EventTypes.none();
        private int streamBuffer = 10_000;

        /** The instance to talk to (its socket, and where to start a daemon). */
        public Builder instance(InstancePaths paths) {
            this.paths = paths;
            return this;
        }

        /** Talk to a socket directly; no auto-start. */
        public Builder socket(Path socket) {
            this.socket = socket;
            return this;
        }

        /** How this client introduces itself (shown by status queries such as core.clients). */
        public Builder clientName(String name, String version) {
            this.name = name;
            this.version = version;
            return this;
        }

        /** Payload encoding for typed calls: KRYO (default) or JSON. */
        public Builder encoding(Encoding encoding) {
            this.encoding = encoding;
            return this;
        }

        /** Default per-call timeout; null waits forever. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** How long to keep retrying a refused or busy socket before calling it stale. */
        public Builder connectRetry(Duration retry) {
            this.connectRetry = retry;
            return this;
        }

        /** Start a daemon with the launcher the environment describes when none answers. */
        public Builder autoStart() {
            this.autoStartWanted = true;
            this.launcherFromEnvironment = true; // read in build(), once the instance says whose environment
            this.launcher = null;
            return this;
        }

        public Builder autoStart(DaemonLauncher launcher) {
            this.launcher = launcher;
            this.launcherFromEnvironment = false;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * Use a private daemon: a fresh instance named after this process, started on first use and
         * tied to this process's PID, so it stops and removes its files when this process ends.
         */
        public Builder privateDaemon(Path dataDir) {
            long pid = ProcessHandle.current().pid();
            byte[] r = new byte[3];
            ThreadLocalRandom.current().nextBytes(r);
            this.paths = new InstancePaths(dataDir, "p" + pid + "-" + HexFormat.of().formatHex(r),
                    paths != null ? paths.app() : null);
            this.launchArgs.addAll(List.of("--parent-pid", Long.toString(pid)));
            if (launcher == null) {
                launcherFromEnvironment = true;
            }
            return this;
        }

        /** Event types this client decodes into records; others arrive as JSON trees. */
        public Builder events(EventTypes types) {
            this.eventTypes = types;
            return this;
        }

        /** Items buffered per event stream before the stream reports a local lag. */
        public Builder streamBuffer(int items) {
            this.streamBuffer = items;
            return this;
        }

        public CoreClient build() {
            if (paths == null && socket == null) {
                throw new IllegalStateException("set instance(...) or socket(...)");
            }
            if ((launcher != null || launcherFromEnvironment) && paths == null) {
                throw new IllegalStateException("auto-start needs instance(...), not just a socket");
            }
            if (launcherFromEnvironment && launcher == null) {
                launcher = DaemonLauncher.fromEnvironment(paths.app(), System.getenv());
            }
            return new CoreClient(this);
        }
    }

    /** The instance this client talks to, if it was built with one. */
    public InstancePaths instance() {
        return paths;
    }

    public Path socket() {
        return socket;
    }

    /** Connects now (starting a daemon if configured) and returns the daemon's hello. */
    public ServerHello connect() {
        return connection().hello;
    }

    public boolean isConnected() {
        ClientConnection c = connection;
        return c != null && c.isOpen();
    }

    // ---- calls ----

    /** Calls the request's method and waits for the typed result, up to the default timeout. */
    public <R> R call(Request<R> request) {
        return call(request, timeout);
    }

    public <R> R call(Request<R> request, Duration timeout) {
        return await(callAsync(request, timeout), timeout);
    }

    public <R> CompletableFuture<R> callAsync(Request<R> request) {
        return callAsync(request, timeout);
    }

    /**
     * Sends the call and returns at once. Cancelling the future tells the daemon to stop the call.
     * With Kryo, a schema mismatch (client and daemon built from different contracts) makes this
     * client retry the call, and all later calls of that request type, with JSON.
     */
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> callAsync(Request<R> request, Duration timeout) {
        Class<?> type = request.getClass();
        Requests.Info info = Requests.info(type);
        Payloads p = payloads.computeIfAbsent(type,
                t -> new Payloads(Protocol.DEFAULT_MAX_FRAME_BYTES, List.of(t, info.resultType())));
        Encoding enc = jsonOnly.contains(type) ? Encoding.JSON : encoding;
        CompletableFuture<Object> first = send(info.method().kind().wire(), info.method().wire(), request, p,
                info.resultType(), enc, timeout, null);
        if (enc == Encoding.JSON) {
            return (CompletableFuture<R>) (CompletableFuture<?>) first;
        }
        CompletableFuture<Object> result = first.exceptionallyCompose(ex -> {
            Throwable cause = ex instanceof CompletionException ? ex.getCause() : ex;
            if (cause instanceof RpcException re && "schema_mismatch".equals(re.details().get("reason"))) {
                jsonOnly.add(type);
                return send(info.method().kind().wire(), info.method().wire(), request, p, info.resultType(),
                        Encoding.JSON, timeout, null);
            }
            return CompletableFuture.failedFuture(cause);
        });
        result.whenComplete((v, ex) -> {
            if (ex instanceof CancellationException) {
                first.cancel(true);
            }
        });
        return (CompletableFuture<R>) (CompletableFuture<?>) result;
    }

    /**
     * Calls any method by its wire name with a JSON payload (null for none) and returns the JSON
     * result: what generic tools (a CLI's {@code call} command) use.
     */
    public JsonNode callJson(String method, JsonNode payload, Duration timeout) {
        String kind = method.startsWith("action:") ? "action" : "query";
        CompletableFuture<Object> f = send(kind, method, payload == null ? Json.MAPPER.createObjectNode() : payload,
                generic, JsonNode.class, Encoding.JSON, timeout, null);
        return (JsonNode) await(f, timeout);
    }

    private CompletableFuture<Object> send(String kind, String method, Object input, Payloads p, Class<?> resultType,
                                           Encoding enc, Duration timeout,
                                           java.util.function.Function<JsonNode, Object> onOk) {
        ClientConnection c;
        try {
            c = connection();
        } catch (RpcException e) {
            return CompletableFuture.failedFuture(e);
        }
        long id = ids.incrementAndGet();
        CompletableFuture<Object> f = new CompletableFuture<>();
        byte[] frame;
        try {
            FrameBuilder fb = FrameBuilder.of(kind).field("id", id).field("method", method).field("encoding", enc.wire());
            if (enc == Encoding.KRYO) {
                fb.field("schema", p.fingerprint());
            }
            if (timeout != null) {
                fb.field("timeout", Math.max(1, timeout.toMillis()));
            }
            p.write(fb, "payload", input, enc);
            frame = fb.build();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.INVALID_INPUT,
                    "cannot encode the request for " + method + ": " + e.getMessage(), Map.of(), e));
        }
        int limit = c.hello.maxFrame();
        if (frame.length - 1 > limit) {
            // the daemon would close the connection part-way through, under every other call on it
            return CompletableFuture.failedFuture(new RpcException(ErrorCode.FRAME_TOO_LARGE, "the request for "
                    + method + " is " + (frame.length - 1) + " bytes, more than the daemon's frame limit of " + limit
                    + " bytes; nothing was sent. Send less per call", Map.of("limit", limit, "size", frame.length - 1)));
        }
        c.pending.put(id, new ClientConnection.Pending(f, p, resultType, method, onOk));
        f.whenComplete((v, ex) -> {
            if (ex instanceof CancellationException || ex instanceof TimeoutException) {
                if (c.pending.remove(id) != null) {
                    trySend(c, FrameBuilder.of("cancel").field("id", id).build());
                }
            }
        });
        try {
            c.send(frame);
        } catch (IOException e) {
            c.pending.remove(id);
            c.close("the connection to the daemon broke: " + e.getMessage());
            f.completeExceptionally(new RpcException(ErrorCode.CONNECTION_LOST,
                    "the connection to the daemon broke while sending " + method + ": " + e.getMessage()));
        }
        if (!c.isOpen()) {
            // closed between put and now: close() may have run before our entry existed
            if (c.pending.remove(id) != null) {
                f.completeExceptionally(new RpcException(ErrorCode.CONNECTION_LOST, "the connection to the daemon closed"));
            }
        }
        return f;
    }

    private static void trySend(ClientConnection c, byte[] frame) {
        try {
            c.send(frame);
        } catch (IOException ignored) {
            // the connection is gone; the daemon drops the call with it
        }
    }

    private static <T> T await(CompletableFuture<T> f, Duration timeout) {
        if (ClientConnection.ON_READER.get() && !f.isDone()) {
            // a callback of another call's future runs on the thread that reads answers: blocking here never ends
            throw new IllegalStateException("a blocking call from inside a callback of another call would wait "
                    + "forever; use callAsync(...).thenCompose(...) or a ...Async stage with your own executor");
        }
        try {
            if (timeout == null) {
                return f.get();
            }
            // the daemon enforces the deadline and answers TIMEOUT; this backstop covers a daemon that cannot answer
            return f.get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RpcException re) {
                throw new RpcException(re.code(), re.getMessage(), re.details(), re);
            }
            throw new RpcException(ErrorCode.EXECUTION_ERROR, String.valueOf(c), Map.of(), c);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new RpcException(ErrorCode.TIMEOUT, "no answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new RpcException(ErrorCode.CANCELLED, "interrupted while waiting for the daemon");
        } catch (CancellationException e) {
            throw new RpcException(ErrorCode.CANCELLED, "the call was cancelled");
        }
    }

    // ---- subscriptions ----

    /** Subscribes to event types by record class; events arrive as those records. */
    @SafeVarargs
    public final EventStream subscribe(EventFilter filter, Class<? extends Event>... types) {
        List<String> names = new ArrayList<>();
        for (Class<? extends Event> t : types) {
            names.add(EventTypes.nameOf(t));
        }
        return subscribe(names, filter);
    }

    /**
     * Subscribes to event types by name (empty for all). Events of types this client knows arrive
     * as records (Kryo-encoded when every named type is known), others as JSON trees.
     */
    public EventStream subscribe(Collection<String> types, EventFilter filter) {
        boolean allKnown = !types.isEmpty() && types.stream().allMatch(t -> eventTypes.type(t) != null);
        Encoding enc = allKnown ? encoding : Encoding.JSON;
        try {
            return subscribe(types, filter, enc);
        } catch (RpcException e) {
            if (enc == Encoding.KRYO && "schema_mismatch".equals(e.details().get("reason"))) {
                return subscribe(types, filter, Encoding.JSON);
            }
            throw e;
        }
    }

    private EventStream subscribe(Collection<String> types, EventFilter filter, Encoding enc) {
        ClientConnection c = connection();
        long id = ids.incrementAndGet();
        CompletableFuture<Object> f = new CompletableFuture<>();
        Map<String, String> schemas = new LinkedHashMap<>();
        if (enc == Encoding.KRYO) {
            for (String t : types) {
                schemas.put(t, eventTypes.payloads(t).fingerprint());
            }
        }
        FrameBuilder fb = FrameBuilder.of("subscribe").field("id", id).value("events", List.copyOf(types))
                .value("filter", (filter == null ? EventFilter.NONE : filter).fields()).field("encoding", enc.wire());
        if (!schemas.isEmpty()) {
            fb.value("schemas", schemas);
        }
        c.pending.put(id, new ClientConnection.Pending(f, generic, JsonNode.class, "subscribe", payload -> {
            long sub = payload.path("subscription").asLong();
            EventStream s = new EventStream(sub, streamBuffer, () -> unsubscribe(c, sub));
            c.streams.put(sub, s); // registered on the reader thread, before any event of it is read
            return s;
        }));
        try {
            c.send(fb.build());
        } catch (IOException e) {
            c.pending.remove(id);
            throw new RpcException(ErrorCode.CONNECTION_LOST, "could not subscribe: " + e.getMessage());
        }
        return (EventStream) await(f, timeout);
    }

    private void unsubscribe(ClientConnection c, long sub) {
        EventStream s = c.streams.get(sub);
        if (!c.isOpen()) {
            if (s != null) {
                c.streams.remove(sub);
                s.deliver(new StreamItem.Ended("connection closed"));
            }
            return;
        }
        trySend(c, FrameBuilder.of("unsubscribe").field("id", ids.incrementAndGet()).field("sub", sub).build());
    }

    // ---- connecting ----

    private ClientConnection connection() {
        ClientConnection c = connection;
        if (c != null && c.isOpen()) {
            return c;
        }
        connectLock.lock();
        try {
            if (closed) {
                throw new RpcException(ErrorCode.CONNECTION_LOST, "this client is closed");
            }
            c = connection;
            if (c != null && c.isOpen()) {
                return c;
            }
            try {
                c = connectWithRetry();
            } catch (RpcException e) {
                if (launcher == null && autoStartWanted && e.code() == ErrorCode.UNAVAILABLE) {
                    throw new RpcException(e.code(), e.getMessage() + " (auto-start found no way to start one: put `"
                            + app.command() + "` on the PATH, or set " + app.env("LAUNCHER") + " to bin/" + app.command()
                            + ")", e.details(), e);
                }
                if (launcher == null || e.code() != ErrorCode.UNAVAILABLE
                        || "permission_denied".equals(e.details().get("reason"))) {
                    throw e;
                }
                c = startAndConnect();
            }
            connection = c;
            return c;
        } finally {
            connectLock.unlock();
        }
    }

    private ClientConnection connectWithRetry() {
        long deadline = System.nanoTime() + connectRetry.toNanos();
        long backoff = 10;
        while (true) {
            try {
                return connectOnce();
            } catch (RpcException e) {
                boolean transientFailure = "refused".equals(e.details().get("reason"))
                        || "busy".equals(e.details().get("reason"));
                if (!transientFailure || System.nanoTime() > deadline) {
                    if ("refused".equals(e.details().get("reason"))) {
                        throw unavailable("stale_socket", "a socket exists at " + socket + " but no daemon answers on it "
                                + "(the daemon probably crashed). Start a new one with `" + startCommand() + "`; it "
                                + "replaces the stale socket");
                    }
                    throw e;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, 200);
            }
        }
    }

    private String startCommand() {
        String command = app == null ? "start a daemon" : app.command();
        if (paths == null) {
            return command + " start";
        }
        StringBuilder sb = new StringBuilder(command);
        if (!paths.dataDir().equals(InstancePaths.resolve(app, null, null).dataDir())) {
            sb.append(" --data-dir ").append(paths.dataDir());
        }
        if (!paths.isDefault()) {
            sb.append(" --instance ").append(paths.instance());
        }
        return sb.append(" start").toString();
    }

    /** Throws BAD_DATA_DIR when the data folder cannot be used, so "not running" never hides why (issue 19). */
    private void badDataDir() {
        PathRule.Refusal r = paths == null ? null : paths.dataDirProblem();
        if (r != null) {
            throw r.toRpcException();
        }
    }

    private String displayName() {
        return app == null ? "" : app.displayName() + " ";
    }

    private static AppIdentity ambientOrNull() {
        try {
            return AppIdentity.ambient();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private RpcException unavailable(String reason, String message) {
        return new RpcException(ErrorCode.UNAVAILABLE, message, Map.of("reason", reason, "socket", socket.toString()));
    }

    private ClientConnection connectOnce() {
        if (!Files.exists(socket)) {
            badDataDir();
            throw unavailable("not_running", "no " + displayName() + "daemon is running" + (paths == null ? "" : " for instance '"
                    + paths.instance() + "'") + ": there is no socket at " + socket + ". Start one with `"
                    + startCommand() + "`");
        }
        SocketChannel ch;
        try {
            Path target = paths != null ? paths.connectPath() : socket;
            ch = DaemonSocket.connect(socket, target); // refuses a server of another user before sending a byte
        } catch (DaemonSocket.UntrustedServerException e) {
            throw e.toRpcException();
        } catch (PathRule.UnsafeFolderException e) {
            throw e.refusal().toRpcException();
        } catch (SocketException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("Connection refused")) {
                throw unavailable("refused", "connection refused on " + socket);
            }
            if (m.contains("Resource temporarily unavailable")) {
                throw unavailable("busy", "the daemon's accept queue is full on " + socket);
            }
            if (m.contains("Permission denied")) {
                throw unavailable("permission_denied", "permission denied on " + socket + ": it belongs to another user "
                        + "or its folder is not yours. Check `ls -l " + socket.getParent() + "`, or use your own --data-dir");
            }
            if (m.contains("No such file")) {
                throw unavailable("not_running", "no " + displayName() + "daemon is running: " + socket + " vanished. Start one with `"
                        + startCommand() + "`");
            }
            throw unavailable("io", "cannot connect to " + socket + ": " + m);
        } catch (IOException e) {
            throw unavailable("io", "cannot connect to " + socket + ": " + e.getMessage());
        }
        return handshake(ch);
    }

    private ClientConnection handshake(SocketChannel ch) {
        try {
            IOException helloFailed = null;
            try {
                ch.write(java.nio.ByteBuffer.wrap(FrameBuilder.of("hello").field("protocol", Protocol.VERSION)
                        .field("name", name).field("version", version).field("pid", ProcessHandle.current().pid())
                        .value("encodings", List.of("json", "kryo")).build()));
            } catch (IOException e) {
                // a daemon that refuses us (UNAUTHORIZED, OVERLOADED, SHUTTING_DOWN) writes its error and closes at
                // once, so our hello can meet a closed socket; the error is still there to read, and says more
                helloFailed = e;
            }
            LineReader reader = new LineReader(ch, Protocol.DEFAULT_MAX_FRAME_BYTES);
            JsonNode[] first = new JsonNode[1];
            // a daemon that accepts but never greets must not hang us: close the channel after a while
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(Math.max(5000, connectRetry.toMillis()));
                    if (first[0] == null) {
                        ch.close();
                    }
                } catch (InterruptedException | IOException ignored) {
                    // greeted in time
                }
            });
            try {
                while (first[0] == null) {
                    if (!reader.readOnce((buf, off, len) -> {
                        if (first[0] == null) {
                            first[0] = Json.MAPPER.readTree(buf, off, len);
                        }
                    })) {
                        throw new IOException("the daemon closed the connection before saying hello");
                    }
                }
            } finally {
                watchdog.interrupt();
            }
            JsonNode h = first[0];
            if (h.path("type").asText().equals("error")) {
                RpcException e = ClientConnection.toException(h.path("error"));
                ch.close();
                throw e;
            }
            if (helloFailed != null) {
                throw helloFailed;
            }
            int protocol = h.path("protocol").asInt(-1);
            if (!h.path("type").asText().equals("hello") || protocol != Protocol.VERSION) {
                ch.close();
                String upgrade = protocol > Protocol.VERSION ? "upgrade this client" : "upgrade the daemon and run `" + (app == null ? "" : app.command() + " ") + "restart`";
                throw new RpcException(ErrorCode.UNSUPPORTED_VERSION, "the daemon at " + socket + " speaks protocol "
                        + protocol + " but this client speaks " + Protocol.VERSION + ": " + upgrade);
            }
            List<String> encs = new ArrayList<>();
            h.path("encodings").forEach(n -> encs.add(n.asText()));
            ServerHello hello = new ServerHello(protocol, h.path("server").asText(), h.path("version").asText(),
                    h.path("instance").asText(), h.path("pid").asLong(), encs, h.path("registry").asText(),
                    h.path("maxFrame").asInt(Protocol.DEFAULT_MAX_FRAME_BYTES));
            return new ClientConnection(ch, hello, reader, eventTypes, app == null ? "rpc" : app.name());
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw unavailable("refused", "the daemon at " + socket + " did not complete the hello: " + e.getMessage());
        }
    }

    private ClientConnection startAndConnect() {
        Path spawnLock = paths.spawnLockFile();
        ReentrantLock jvmLock = SPAWN_LOCKS.computeIfAbsent(spawnLock, k -> new ReentrantLock());
        jvmLock.lock();
        try {
            paths.enterDaemonDir();
            try (FileChannel fc = FileChannel.open(spawnLock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = fc.lock()) {
                // whoever held the lock before us may have started the daemon already
                try {
                    return connectWithRetry();
                } catch (RpcException e) {
                    if (e.code() != ErrorCode.UNAVAILABLE) {
                        throw e;
                    }
                }
                long logBefore = Files.exists(paths.logFile()) ? Files.size(paths.logFile()) : 0;
                Process process = launcher.start(paths, launchArgs);
                long deadline = System.nanoTime() + startTimeout.toNanos();
                long exitedAt = 0;
                // short steps: a start is a few hundred ms, and a 100 ms step cost a start command 50 ms on average
                // (issue 13); a try before the socket exists is one stat
                long backoff = 5;
                while (true) {
                    try {
                        return connectOnce();
                    } catch (RpcException e) {
                        if (e.code() != ErrorCode.UNAVAILABLE) {
                            throw e;
                        }
                    }
                    if (!process.isAlive() && exitedAt == 0) {
                        exitedAt = System.nanoTime();
                    }
                    // a daemon that exited may have lost a race to one that is just binding; give that one a moment
                    if (exitedAt != 0 && System.nanoTime() - exitedAt > TimeUnit.SECONDS.toNanos(2)) {
                        throw new RpcException(ErrorCode.UNAVAILABLE, "the daemon for instance '" + paths.instance()
                                + "' exited with status " + process.exitValue() + " before it answered."
                                + tail(paths.startupOutput(), 0) + tail(paths.logFile(), logBefore),
                                Map.of("reason", "start_failed", "socket", socket.toString()));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new RpcException(ErrorCode.UNAVAILABLE, "the daemon for instance '" + paths.instance()
                                + "' did not answer within " + startTimeout.toSeconds() + " s of starting."
                                + tail(paths.logFile(), logBefore), Map.of("reason", "start_timeout", "socket", socket.toString()));
                    }
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, 20);
                }
            }
        } catch (PathRule.UnsafeFolderException e) {
            throw e.refusal().toRpcException();
        } catch (IOException e) {
            throw new RpcException(ErrorCode.UNAVAILABLE, "could not start a daemon for instance '" + paths.instance()
                    + "': " + e.getMessage(), Map.of("reason", "start_failed", "socket", socket.toString()));
        } finally {
            jvmLock.unlock();
        }
    }

    /**
     * The last lines a file gained after byte {@code from} (what this start wrote, not earlier runs),
     * formatted for an error message, or "" if there are none. Public for a CLI's own quick start command,
     * which reports a failed start with the same words.
     */
    public static String tail(Path file, long from) {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long start = from <= f.length() ? from : 0; // a rolled log starts over
            long max = 64 * 1024;
            start = Math.max(start, f.length() - max);
            byte[] bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            if (lines.isEmpty()) {
                return "";
            }
            List<String> last = lines.subList(Math.max(0, lines.size() - 15), lines.size());
            return "\n--- " + file + " ---\n" + String.join("\n", last);
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms); // connect back-off: there is no event to wait on for a socket that refuses
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(ErrorCode.CANCELLED, "interrupted while connecting");
        }
    }

    @Override
    public void close() {
        closed = true;
        ClientConnection c = connection;
        if (c != null) {
            c.close("the client was closed");
        }
    }
}
