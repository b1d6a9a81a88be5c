package dev.cove.rpc.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.codec.Payloads;
import dev.cove.rpc.wire.FrameTooLargeException;
import dev.cove.rpc.wire.LineReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/** One open connection: a reader thread that completes calls by id and feeds event streams. */
final class ClientConnection {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    /** A call waiting for its answer. {@code onOk}, if set, turns the ok payload into the result on the reader thread. */
    record Pending(CompletableFuture<Object> future, Payloads payloads, Class<?> resultType, String method,
                   java.util.function.Function<JsonNode, Object> onOk) {
    }

    final SocketChannel channel;
    final ServerHello hello;
    private final EventTypes eventTypes;
    private final ReentrantLock writeLock = new ReentrantLock();
    final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    final Map<Long, EventStream> streams = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LineReader reader;
    private volatile String closeReason = "the connection was closed";

    ClientConnection(SocketChannel channel, ServerHello hello, LineReader reader, EventTypes eventTypes) {
        this.channel = channel;
        this.hello = hello;
        this.reader = reader;
        this.eventTypes = eventTypes;
        Thread t = new Thread(this::readLoop, "cove-client-reader");
        t.setDaemon(true);
        t.start();
    }

    boolean isOpen() {
        return !closed.get();
    }

    void send(byte[] frame) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(frame);
        writeLock.lock();
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** True on reader threads, where waiting for an answer would wait for ourselves. */
    static final ThreadLocal<Boolean> ON_READER = ThreadLocal.withInitial(() -> false);

    private void readLoop() {
        ON_READER.set(true);
        try {
            while (reader.readOnce(this::onFrame)) {
                // frames are handled as they arrive
            }
            closeReason = "the daemon closed the connection (it may have stopped or restarted)";
        } catch (FrameTooLargeException e) {
            closeReason = "the daemon sent a frame larger than this client accepts";
        } catch (IOException e) {
            if (!closed.get()) {
                closeReason = "the connection to the daemon broke: " + e.getMessage();
            }
        } catch (RuntimeException e) {
            log.error("client reader failed", e);
            closeReason = "the client reader failed: " + e;
        } finally {
            close(closeReason);
        }
    }

    private void onFrame(byte[] buf, int off, int len) throws IOException {
        JsonNode node = Json.MAPPER.readTree(buf, off, len);
        if (!(node instanceof ObjectNode frame)) {
            return;
        }
        String type = frame.path("type").asText("");
        switch (type) {
            case "ok", "error" -> {
                JsonNode id = frame.get("id");
                if (id == null || id.isNull()) {
                    if (type.equals("error")) {
                        log.warn("daemon reported: {}", frame.path("error").path("message").asText());
                    }
                    return;
                }
                Pending p = pending.remove(id.asLong());
                if (p == null) {
                    return; // cancelled or timed out: nobody waits any more
                }
                if (type.equals("ok")) {
                    try {
                        Encoding enc = Encoding.fromWire(frame.path("encoding").asText(null));
                        p.future().complete(p.onOk() != null ? p.onOk().apply(frame.path("payload"))
                                : p.payloads().read(frame.get("payload"), enc, p.resultType()));
                    } catch (RuntimeException e) {
                        p.future().completeExceptionally(new RpcException(ErrorCode.DECODE_ERROR,
                                "could not decode the daemon's answer to " + p.method() + ": " + e.getMessage()));
                    }
                } else {
                    p.future().completeExceptionally(toException(frame.path("error")));
                }
            }
            case "event" -> {
                EventStream s = streams.get(frame.path("sub").asLong());
                if (s != null) {
                    s.deliver(decodeEvent(frame));
                }
            }
            case "lagged" -> {
                EventStream s = streams.get(frame.path("sub").asLong());
                if (s != null) {
                    s.deliver(new StreamItem.Lagged(frame.path("missed").asLong(), frame.path("seq").asLong(), false));
                }
            }
            case "end" -> {
                EventStream s = streams.remove(frame.path("sub").asLong());
                if (s != null) {
                    s.deliver(new StreamItem.Ended(frame.path("reason").asText("ended")));
                }
            }
            default -> log.debug("ignoring frame of type {}", type);
        }
    }

    private StreamItem decodeEvent(ObjectNode frame) {
        String name = frame.path("event").asText();
        long seq = frame.path("seq").asLong();
        Encoding enc = Encoding.fromWire(frame.path("encoding").asText(null));
        Class<?> type = eventTypes.type(name);
        Object event = frame.get("payload");
        if (type != null) {
            try {
                event = eventTypes.payloads(name).read(frame.get("payload"), enc, type);
            } catch (RpcException e) {
                log.debug("event {} does not decode as {}: {}", name, type.getName(), e.getMessage());
            }
        }
        return new StreamItem.Delivered(seq, name, event);
    }

    static RpcException toException(JsonNode err) {
        ErrorCode code = ErrorCode.fromWire(err.path("code").asText(null));
        Map<String, Object> details = new LinkedHashMap<>();
        JsonNode d = err.get("details");
        if (d != null && d.isObject()) {
            details.putAll(Json.MAPPER.convertValue(d, Map.class));
        }
        return new RpcException(code, err.path("message").asText(code.name()), details);
    }

    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // best effort
        }
        RpcException lost = new RpcException(ErrorCode.CONNECTION_LOST, reason);
        pending.values().forEach(p -> p.future().completeExceptionally(lost));
        pending.clear();
        streams.values().forEach(s -> s.deliver(new StreamItem.Ended("connection lost: " + reason)));
        streams.clear();
    }
}
