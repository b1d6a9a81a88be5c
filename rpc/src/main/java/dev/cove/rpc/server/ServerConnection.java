package dev.cove.rpc.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.Handler;
import dev.cove.rpc.PeerInfo;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.wire.FrameBuilder;
import dev.cove.rpc.wire.FrameIds;
import dev.cove.rpc.wire.FrameTooLargeException;
import dev.cove.rpc.wire.LineReader;
import dev.cove.rpc.wire.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/** One client connection: reads frames, runs calls, writes responses and event frames. */
final class ServerConnection {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    final long id;
    private final RpcServer server;
    private final SocketChannel channel;
    private final String user;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Semaphore permits;
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final Map<Long, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    volatile PeerInfo peer;

    // The reader runs the calls of each batch it reads itself, one after another: no thread hand-off, and
    // their answers leave in one write. `inline` is the call the reader runs; the CallMonitor swaps in
    // HANDED_OFF when it runs long, starts a new reader (which sends the rest of the batch to threads of
    // their own), and the old reader, finding its entry gone, ends after its call.
    private record Inline(Call call, long since) {
    }

    private static final Inline HANDED_OFF = new Inline(null, 0);
    private final java.util.concurrent.atomic.AtomicReference<Inline> inline =
            new java.util.concurrent.atomic.AtomicReference<>();
    private LineReader reader;
    /** Calls read but not started; guarded by itself. */
    private final java.util.ArrayDeque<Call> batch = new java.util.ArrayDeque<>();
    /**
     * While set, frames collect in {@link #corkBuffer} and leave in one write; written under writeLock, read
     * without it by a stopping server (whose wait must not queue behind a write blocked on a client that does not
     * read).
     */
    private volatile boolean corked;
    private final java.io.ByteArrayOutputStream corkBuffer = new java.io.ByteArrayOutputStream(4096);

    ServerConnection(RpcServer server, long id, SocketChannel channel, String user) {
        this.server = server;
        this.id = id;
        this.channel = channel;
        this.user = user;
        this.permits = new Semaphore(server.config.maxInFlight());
    }

    void run() {
        try {
            send(FrameBuilder.of("hello").field("protocol", Protocol.VERSION)
                    .field("server", server.config.serverName()).field("version", server.config.serverVersion())
                    .field("instance", server.config.instance()).field("pid", ProcessHandle.current().pid())
                    .value("encodings", List.of("json", "kryo")).field("registry", server.registry.fingerprint())
                    .field("maxFrame", server.config.maxFrameBytes()).field("build", server.config.build()).build());
            reader = new LineReader(channel, server.config.maxFrameBytes(), server.frameBudget);
        } catch (IOException e) {
            close();
            return;
        }
        readLoop();
    }

    /** Reads until the peer is done; runs on the first reader and on any reader that takes over. */
    private void readLoop() {
        boolean keepOpen = false;
        boolean handedOff = false;
        try {
            while (!closed.get() && reader.readOnce(this::onFrame)) {
                if (!runBatch()) {
                    handedOff = true; // a call ran long and another thread reads now; this one is done
                    return;
                }
            }
            // End of input is not the end of the conversation: a client that half-closes (printf | nc -U)
            // still reads. Answer the calls it made, and keep its subscriptions until a write fails.
            if (!closed.get()) {
                finishCalls();
                if (!subscriptions.isEmpty()) {
                    // an empty line is ignored by readers, but writing it fails at once if the peer is gone
                    send(new byte[]{'\n'});
                    keepOpen = true;
                }
            }
        } catch (FrameTooLargeException e) {
            log.warn("client {} sent a frame over {} bytes; closing it", describe(), server.config.maxFrameBytes());
            // the id is usually near the start: answering it spares a client waiting for it its whole timeout
            trySend(error(FrameIds.find(e.head(), 0, e.head().length), ErrorCode.FRAME_TOO_LARGE, "frame exceeds "
                    + server.config.maxFrameBytes() + " bytes; the connection is closed",
                    Map.of("limit", server.config.maxFrameBytes())));
        } catch (LineReader.BudgetExceededException e) {
            log.warn("client {} sent a large frame while other connections hold {} bytes of large frames; closing it",
                    describe(), server.frameBytes.get());
            trySend(error(null, ErrorCode.OVERLOADED, "the daemon is buffering too many large frames from other "
                    + "connections; the connection is closed, retry later", Map.of()));
        } catch (IOException e) {
            if (!closed.get()) {
                log.debug("connection {} ended: {}", id, e.toString());
            }
        } finally {
            if (!handedOff && reader != null) {
                reader.release(); // the new reader, if any, keeps the buffer and its share of the budget
            }
            if (!keepOpen && !handedOff) {
                close();
            }
        }
    }

    /** Runs the calls of the batch just read. False when, meanwhile, another thread took over reading. */
    private boolean runBatch() throws IOException {
        Call first = nextInBatch();
        if (first == null) {
            return true;
        }
        cork();
        try {
            for (Call c = first; c != null; c = nextInBatch()) {
                if (!runInline(c)) {
                    return false;
                }
            }
            return true;
        } finally {
            uncork();
        }
    }

    private Call nextInBatch() {
        synchronized (batch) {
            return batch.pollFirst();
        }
    }

    /** Runs a call on the reader. False when, meanwhile, another thread took over reading. */
    private boolean runInline(Call call) {
        if (call.timeoutMs > 0 && call.timeoutMs <= 2 * TimeUnit.NANOSECONDS.toMillis(server.monitor.handOffNanos)) {
            scheduleTimeout(call); // too short to wait for the hand-off check
        }
        Inline mine = new Inline(call, System.nanoTime());
        inline.set(mine);
        server.monitor.started();
        try {
            runCall(call);
        } finally {
            server.monitor.finished();
        }
        return inline.compareAndSet(mine, null);
    }

    /** Called by the CallMonitor: if the reader has been running a call too long, start another reader. */
    void handOffIfSlow(long now, long limitNanos) {
        Inline in = inline.get();
        if (in != null && in != HANDED_OFF && now - in.since() > limitNanos && inline.compareAndSet(in, HANDED_OFF)) {
            scheduleTimeout(in.call()); // most calls end long before their deadline: only slow ones are timed
            try {
                uncork(); // answers already made go out now, not after the slow call
            } catch (IOException e) {
                log.debug("connection {}: {}", id, e.toString());
            }
            server.startReader(this, () -> {
                for (Call c = nextInBatch(); c != null; c = nextInBatch()) {
                    try {
                        dispatch(c);
                    } catch (IOException e) {
                        log.debug("connection {}: {}", id, e.toString());
                    }
                }
                readLoop();
            });
        }
    }

    /** Waits until every call in flight has answered (each holds a permit until it does). */
    private void finishCalls() {
        int all = server.config.maxInFlight();
        try {
            if (permits.tryAcquire(all, server.config.shutdownGrace().toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
                permits.release(all);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String describe() {
        PeerInfo p = peer;
        return p == null ? "#" + id : "#" + id + " (" + p.name() + ", pid " + p.pid() + ")";
    }

    private void onFrame(byte[] buf, int off, int len) throws IOException {
        JsonNode node;
        try {
            node = Json.FRAMES.readTree(buf, off, len);
        } catch (StreamConstraintsException e) {
            // well-formed as far as read, but too deep or too long: the id can still be read, and the client
            // waiting for it should get this answer rather than its timeout
            boolean deep = String.valueOf(e.getOriginalMessage()).contains("nesting depth");
            send(error(FrameIds.find(buf, off, len), ErrorCode.BAD_FRAME, deep
                    ? "the payload nests deeper than " + Json.MAX_NESTING + " levels, the most this daemon reads"
                    : "frame refused: " + firstLine(e.getOriginalMessage()),
                    deep ? Map.of("reason", "too_deep", "limit", Json.MAX_NESTING) : Map.of("reason", "too_long")));
            return;
        } catch (JsonProcessingException e) {
            send(error(null, ErrorCode.BAD_FRAME, "frame is not valid JSON: " + firstLine(e.getOriginalMessage()), Map.of()));
            return;
        } catch (IOException | RuntimeException e) {
            send(error(null, ErrorCode.BAD_FRAME, "frame is not valid JSON: " + e.getMessage(), Map.of()));
            return;
        }
        if (!(node instanceof ObjectNode frame)) {
            send(error(null, ErrorCode.BAD_FRAME, "a frame must be a JSON object", Map.of()));
            return;
        }
        JsonNode idNode = frame.get("id");
        if (idNode != null && !(idNode.isIntegralNumber() || idNode.isTextual())) {
            send(error(null, ErrorCode.BAD_FRAME, "'id' must be a number or a string", Map.of()));
            return;
        }
        if (idNode != null && idNode.isIntegralNumber() && !idNode.canConvertToLong()) {
            // answers write numeric ids as 64-bit longs: a bigger one would come back as another number
            send(error(null, ErrorCode.BAD_FRAME, "a numeric 'id' must fit in 64 bits; use a string for longer ids",
                    Map.of()));
            return;
        }
        String type = frame.path("type").asText("");
        if (peer == null) {
            if (!type.equals("hello")) {
                send(error(idNode, ErrorCode.BAD_FRAME, "the first frame must be a hello, for example "
                        + "{\"type\":\"hello\",\"protocol\":1}", Map.of()));
                return;
            }
            hello(frame);
            return;
        }
        if (server.stopping && !type.equals("unsubscribe") && !type.equals("cancel")) {
            send(error(idNode, ErrorCode.SHUTTING_DOWN, "the daemon is shutting down", Map.of()));
            return;
        }
        switch (type) {
            case "query", "action" -> call(frame, idNode, type);
            case "subscribe" -> subscribe(frame, idNode);
            case "unsubscribe" -> unsubscribe(frame, idNode);
            case "cancel" -> cancel(idNode);
            case "hello" -> send(error(idNode, ErrorCode.BAD_FRAME, "hello was already exchanged", Map.of()));
            default -> send(error(idNode, ErrorCode.BAD_FRAME, "unknown frame type '" + type
                    + "'; expected query, action, subscribe, unsubscribe or cancel", Map.of()));
        }
    }

    private void hello(ObjectNode frame) throws IOException {
        JsonNode protocol = frame.get("protocol");
        if (protocol == null || !protocol.canConvertToInt()) {
            send(error(null, ErrorCode.BAD_FRAME, "hello needs a protocol number, e.g. {\"type\":\"hello\",\"protocol\":1}",
                    Map.of()));
            return;
        }
        int version = protocol.asInt();
        if (version != Protocol.VERSION) {
            String upgrade = version > Protocol.VERSION
                    ? "upgrade the daemon (then run `" + server.config.serverName() + " restart`)" : "upgrade the client";
            send(error(null, ErrorCode.UNSUPPORTED_VERSION, "client speaks protocol " + version + " but this daemon ("
                    + server.config.serverVersion() + ") speaks " + Protocol.VERSION + ": " + upgrade,
                    Map.of("daemonProtocol", Protocol.VERSION, "clientProtocol", version)));
            close();
            return;
        }
        long pid = frame.path("pid").asLong(0);
        long uid = server.ownerUid;
        if (pid > 0) {
            // the pid is the client's word; keep it only if /proc agrees it belongs to the same user
            Path proc = Path.of("/proc", Long.toString(pid));
            try {
                if (Files.exists(proc)) {
                    if (((Number) Files.getAttribute(proc, "unix:uid")).longValue() != uid) {
                        pid = 0;
                    }
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                // not Linux: keep the declared pid
            }
        }
        String name = frame.path("name").asText(frame.path("client").asText("client"));
        peer = new PeerInfo(id, user, uid, pid, name, frame.path("version").asText(""), Instant.now());
        log.debug("client {} connected", describe());
        try {
            server.listener.connected(peer);
        } catch (RuntimeException e) {
            log.warn("connection listener failed", e);
        }
    }

    // ---- calls ----

    private final class Call implements CallContext {
        final String key;
        final String method;
        final Instant deadline;
        final long startNanos = System.nanoTime();
        JsonNode idNode;
        MethodEntry entry;
        Encoding encoding;
        JsonNode payload;
        long timeoutMs;
        private Thread thread; // guarded by this: see interrupt()
        final AtomicBoolean answered = new AtomicBoolean();
        volatile boolean cancelled;
        volatile boolean done;
        volatile ScheduledFuture<?> timer;
        /** The code the call answered with; null while it succeeds. */
        volatile ErrorCode error;

        Call(String key, String method, Instant deadline) {
            this.key = key;
            this.method = method;
            this.deadline = deadline;
        }

        synchronized void running(Thread t) {
            thread = t;
        }

        /**
         * Interrupts the handler, never the thread's next task: a reader that ran this call inline is
         * back in a channel read afterwards, and interrupting that would close the connection.
         */
        synchronized void interrupt() {
            if (thread != null) {
                thread.interrupt();
            }
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public PeerInfo peer() {
            return peer;
        }

        @Override
        public boolean isCancelled() {
            return cancelled || server.stopping && Thread.currentThread().isInterrupted();
        }

        @Override
        public Instant deadline() {
            return deadline;
        }

        @Override
        public void progress(Object part) throws IOException {
            if (answered.get()) {
                throw new IOException("the call " + method + " is over: its caller stopped waiting");
            }
            FrameBuilder fb = FrameBuilder.of("progress");
            writeId(fb, idNode);
            byte[] frame = fb.field("encoding", "json").value("payload", part).build();
            // not corked: a part is worth sending now (the reader may be running this call inline, with
            // answers of the batch waiting in the cork buffer; they go first)
            uncork();
            send(frame);
        }
    }

    private void call(ObjectNode frame, JsonNode idNode, String type) throws IOException {
        if (idNode == null) {
            send(error(null, ErrorCode.BAD_FRAME, "a " + type + " needs an 'id'", Map.of()));
            return;
        }
        String method = frame.path("method").asText(null);
        if (method == null) {
            send(error(idNode, ErrorCode.BAD_FRAME, "a " + type + " needs a 'method'", Map.of()));
            return;
        }
        MethodEntry entry = server.registry.find(method);
        if (entry == null) {
            List<String> near = server.registry.suggestions(method);
            send(error(idNode, ErrorCode.METHOD_NOT_FOUND, "no operation is registered as '" + method + "'"
                    + (near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?")
                    + " (`" + server.config.serverName() + " methods` lists them all)", Map.of("method", method)));
            return;
        }
        if (!entry.name().kind().wire().equals(type)) {
            send(error(idNode, ErrorCode.BAD_FRAME, "frame type '" + type + "' does not match method " + method
                    + "; send it as '" + entry.name().kind().wire() + "'", Map.of()));
            return;
        }
        Encoding encoding;
        try {
            encoding = Encoding.fromWire(frame.path("encoding").asText(null));
        } catch (IllegalArgumentException e) {
            send(error(idNode, ErrorCode.BAD_FRAME, e.getMessage(), Map.of()));
            return;
        }
        if (encoding == Encoding.KRYO) {
            String schema = frame.path("schema").asText(null);
            String expected = entry.payloads().fingerprint();
            if (!expected.equals(schema)) {
                send(error(idNode, ErrorCode.DECODE_ERROR, schema == null
                        ? "a kryo payload needs the method's 'schema' fingerprint (" + method + ")"
                        : "kryo schema mismatch for " + method + ": client has " + schema + ", daemon has " + expected
                        + "; the client and daemon were built from different contracts (use json, or upgrade the older side)",
                        Map.of("reason", "schema_mismatch", "expected", expected)));
                return;
            }
        }
        String key = callKey(idNode);
        long timeoutMs = frame.path("timeout").asLong(0);
        Instant deadline = timeoutMs > 0 ? Instant.now().plusMillis(timeoutMs) : Instant.MAX;
        Call call = new Call(key, method, deadline);
        if (calls.putIfAbsent(key, call) != null) {
            send(error(idNode, ErrorCode.BAD_FRAME, "id " + idNode + " is already in use by a call in flight", Map.of()));
            return;
        }
        try {
            if (!permits.tryAcquire()) {
                // The calls queued for this batch hold permits and would only give them back once the reader
                // runs them after the batch: let them run elsewhere now, then wait for a permit.
                for (Call c = nextInBatch(); c != null; c = nextInBatch()) {
                    dispatch(c);
                }
                permits.acquire(); // back-pressure: past the limit, this connection is not read further
            }
        } catch (InterruptedException e) {
            calls.remove(key);
            Thread.currentThread().interrupt();
            return;
        }
        call.idNode = idNode;
        call.entry = entry;
        call.encoding = encoding;
        call.payload = frame.get("payload");
        call.timeoutMs = timeoutMs;
        synchronized (batch) {
            batch.addLast(call); // run by the reader once the whole read is parsed (runBatch)
        }
    }

    private void dispatch(Call call) throws IOException {
        scheduleTimeout(call);
        try {
            server.calls.execute(() -> runCall(call));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ScheduledFuture<?> t = call.timer;
            if (t != null) {
                t.cancel(false);
            }
            permits.release();
            calls.remove(call.key, call);
            send(error(call.idNode, ErrorCode.SHUTTING_DOWN, "the daemon is shutting down", Map.of()));
        }
    }

    private void scheduleTimeout(Call call) {
        if (call.timeoutMs > 0 && call.timer == null && !call.done) {
            long left = call.timeoutMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call.startNanos);
            ScheduledFuture<?> t = server.timers.schedule(() -> timeOut(call), Math.max(1, left), TimeUnit.MILLISECONDS);
            call.timer = t;
            if (call.done) {
                t.cancel(false); // the call ended while this was being scheduled (the monitor races the reader)
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runCall(Call call) {
        JsonNode idNode = call.idNode;
        MethodEntry entry = call.entry;
        Encoding encoding = call.encoding;
        JsonNode payload = call.payload;
        call.running(Thread.currentThread());
        try {
            if (call.cancelled) {
                return;
            }
            Object input = entry.payloads().read(payload, encoding, entry.inputType());
            Object output = ((Handler) entry.handler()).handle((dev.cove.rpc.Request) input, call);
            if (call.answered.compareAndSet(false, true)) {
                FrameBuilder fb = FrameBuilder.of("ok");
                writeId(fb, idNode);
                fb.field("encoding", encoding.wire());
                entry.payloads().write(fb, "payload", output, encoding);
                send(fb.build());
            }
        } catch (RpcException e) {
            answer(call, idNode, e.code(), e.getMessage(), e.details());
        } catch (IllegalArgumentException e) {
            answer(call, idNode, ErrorCode.INVALID_INPUT, String.valueOf(e.getMessage()), Map.of());
        } catch (InterruptedException e) {
            answer(call, idNode, server.stopping ? ErrorCode.SHUTTING_DOWN : ErrorCode.TIMEOUT,
                    server.stopping ? "the daemon stopped before the call finished" : "the call was interrupted", Map.of());
        } catch (IOException e) {
            log.debug("could not answer {} on connection {}: {}", call.method, id, e.toString());
        } catch (Throwable e) {
            if (call.cancelled || server.stopping) {
                answer(call, idNode, server.stopping ? ErrorCode.SHUTTING_DOWN : ErrorCode.TIMEOUT,
                        "the call was stopped: " + e, Map.of());
            } else {
                log.error("{} failed in {}", call.method, entry.handlerClass().getName(), e);
                answer(call, idNode, ErrorCode.EXECUTION_ERROR, call.method + " failed: " + e,
                        Map.of("exception", e.getClass().getName()));
            }
        } finally {
            call.running(null);
            Thread.interrupted(); // do not leak an interrupt into the next task of this thread
            call.done = true;
            ScheduledFuture<?> t = call.timer;
            if (t != null) {
                t.cancel(false);
            }
            calls.remove(call.key, call);
            permits.release();
            try {
                server.listener.callEnded(call.method, call.error, System.nanoTime() - call.startNanos);
            } catch (RuntimeException e) {
                log.warn("call listener failed", e);
            }
        }
    }

    private void answer(Call call, JsonNode idNode, ErrorCode code, String message, Map<String, Object> details) {
        if (call.answered.compareAndSet(false, true) && !call.cancelled) {
            call.error = code; // only what the client was told: a cancelled call's interruption is no error
            trySend(error(idNode, code, message, details));
        }
    }

    private void timeOut(Call call) {
        if (call.answered.compareAndSet(false, true)) {
            call.error = ErrorCode.TIMEOUT;
            trySend(error(call.idNode, ErrorCode.TIMEOUT, call.method + " did not finish within " + call.timeoutMs
                    + " ms", Map.of("timeoutMs", call.timeoutMs)));
            call.cancelled = true;
            call.interrupt();
        }
    }

    private void cancel(JsonNode idNode) {
        if (idNode == null) {
            return;
        }
        Call call = calls.get(callKey(idNode));
        if (call != null) {
            call.cancelled = true;
            call.answered.set(true); // a cancelled call gets no answer; the client stopped waiting
            call.interrupt();
        }
    }

    /**
     * Waits until running calls have finished and their answers are written, or the deadline passes, then
     * interrupts the rest. A call the reader ran inline leaves {@link #calls} before its answer leaves the cork
     * buffer: closing in between would drop an answer already made (the shutdown call's own, typically).
     */
    void awaitCalls(long deadlineNanos) {
        while ((!calls.isEmpty() || corked) && System.nanoTime() < deadlineNanos) {
            try {
                Thread.sleep(5); // bounded by the shutdown grace; calls signal nothing we could wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (Call c : calls.values()) {
            c.interrupt();
        }
    }

    // ---- subscriptions ----

    private void subscribe(ObjectNode frame, JsonNode idNode) throws IOException {
        if (idNode == null) {
            send(error(null, ErrorCode.BAD_FRAME, "a subscribe needs an 'id'", Map.of()));
            return;
        }
        Set<String> types = new LinkedHashSet<>();
        JsonNode events = frame.get("events");
        if (events != null && !events.isNull()) {
            if (!events.isArray()) {
                send(error(idNode, ErrorCode.INVALID_INPUT, "'events' must be a list of event type names", Map.of()));
                return;
            }
            for (JsonNode e : events) {
                String name = e.asText();
                if (server.hub.types().type(name) == null) {
                    send(error(idNode, ErrorCode.INVALID_INPUT, "unknown event type '" + name + "'; known types: "
                            + server.hub.types().names(), Map.of("known", List.copyOf(server.hub.types().names()))));
                    return;
                }
                types.add(name);
            }
        }
        Map<String, String> filter = new LinkedHashMap<>();
        JsonNode f = frame.get("filter");
        if (f != null && !f.isNull()) {
            if (!f.isObject()) {
                send(error(idNode, ErrorCode.INVALID_INPUT, "'filter' must be an object of field names to values", Map.of()));
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNull()) {
                    filter.put(e.getKey(), e.getValue().asText());
                }
            }
        }
        Encoding encoding;
        try {
            encoding = Encoding.fromWire(frame.path("encoding").asText(null));
        } catch (IllegalArgumentException e) {
            send(error(idNode, ErrorCode.BAD_FRAME, e.getMessage(), Map.of()));
            return;
        }
        if (encoding == Encoding.KRYO) {
            if (types.isEmpty()) {
                send(error(idNode, ErrorCode.INVALID_INPUT, "a kryo subscription must name its event types", Map.of()));
                return;
            }
            JsonNode schemas = frame.path("schemas");
            for (String t : types) {
                String expected = server.hub.types().payloads(t).fingerprint();
                if (!expected.equals(schemas.path(t).asText(null))) {
                    send(error(idNode, ErrorCode.DECODE_ERROR, "kryo schema mismatch for event " + t
                            + "; subscribe with json or upgrade the older side",
                            Map.of("reason", "schema_mismatch", "event", t, "expected", expected)));
                    return;
                }
            }
        }
        long subId = subscriptionIds.incrementAndGet();
        Subscription s = new Subscription(subId, Set.copyOf(types), new EventFilter(filter), encoding,
                server.config.subscriberQueue(), frames -> {
                    try {
                        send(frames);
                    } catch (IOException e) {
                        close(); // the peer is gone: nobody reads this subscription or any other
                        throw e;
                    }
                });
        subscriptions.put(subId, s);
        FrameBuilder fb = FrameBuilder.of("ok");
        writeId(fb, idNode);
        fb.field("encoding", "json").value("payload", Map.of("subscription", subId, "events", List.copyOf(types)));
        // Register (and start the pump) before the ok goes out, so that no event published after the client has
        // its ok is missed, and a shutdown already sees the pump it must wait for. The pump writes under the same
        // lock, so the ok still comes first.
        writeLock.lock();
        try {
            server.hub.add(s);
            send(fb.build());
        } finally {
            writeLock.unlock();
            if (closed.get() && subscriptions.remove(subId) != null) {
                // the connection closed while this subscription was being set up; close() missed it
                server.hub.remove(s);
                s.end("connection closed", true);
            }
        }
    }

    private void unsubscribe(ObjectNode frame, JsonNode idNode) throws IOException {
        long subId = frame.path("sub").asLong(-1);
        Subscription s = subscriptions.remove(subId);
        if (s == null) {
            send(error(idNode, ErrorCode.NOT_FOUND, "no subscription " + subId + " on this connection", Map.of()));
            return;
        }
        server.hub.remove(s);
        if (idNode != null) {
            FrameBuilder fb = FrameBuilder.of("ok");
            writeId(fb, idNode);
            send(fb.field("encoding", "json").value("payload", Map.of("subscription", subId)).build());
        }
        s.end("unsubscribed", true);
    }

    void endSubscriptions(String reason) {
        for (Subscription s : subscriptions.values()) {
            server.hub.remove(s);
            s.end(reason, false);
        }
    }

    void awaitSubscriptions(long deadlineNanos) {
        for (Subscription s : subscriptions.values()) {
            try {
                s.awaitFinished(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The in-flight key of an id: 7 and "7" are different ids, so they must not share a key. */
    private static String callKey(JsonNode idNode) {
        return (idNode.isTextual() ? "s:" : "n:") + idNode.asText();
    }

    // ---- writing ----

    private static void writeId(FrameBuilder fb, JsonNode idNode) {
        if (idNode == null) {
            fb.value("id", null);
        } else if (idNode.isIntegralNumber()) {
            fb.field("id", idNode.asLong());
        } else {
            fb.field("id", idNode.asText());
        }
    }

    static byte[] error(JsonNode idNode, ErrorCode code, String message, Map<String, Object> details) {
        FrameBuilder fb = FrameBuilder.of("error");
        writeId(fb, idNode);
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("code", code.name());
        err.put("message", message);
        err.put("details", details == null ? Map.of() : details);
        return fb.value("error", err).build();
    }

    void send(byte[] frame) throws IOException {
        writeLock.lock();
        try {
            if (corked) {
                corkBuffer.write(frame);
                return;
            }
            ByteBuffer buf = ByteBuffer.wrap(frame);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void cork() {
        writeLock.lock();
        try {
            corked = true;
        } finally {
            writeLock.unlock();
        }
    }

    private void uncork() throws IOException {
        writeLock.lock();
        try {
            if (!corked) {
                return;
            }
            corked = false;
            if (corkBuffer.size() > 0) {
                ByteBuffer buf = ByteBuffer.wrap(corkBuffer.toByteArray());
                corkBuffer.reset();
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void trySend(byte[] frame) {
        try {
            send(frame);
        } catch (IOException e) {
            log.debug("could not write to connection {}: {}", id, e.toString());
        }
    }

    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Subscription s : subscriptions.values()) {
            server.hub.remove(s);
            s.end("connection closed", true);
        }
        subscriptions.clear();
        for (Call c : calls.values()) {
            c.cancelled = true;
            c.interrupt();
        }
        RpcServer.closeQuietly(channel);
        server.removed(this);
        PeerInfo p = peer;
        if (p != null) {
            log.debug("client {} disconnected", describe());
            try {
                server.listener.disconnected(p);
            } catch (RuntimeException e) {
                log.warn("connection listener failed", e);
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
