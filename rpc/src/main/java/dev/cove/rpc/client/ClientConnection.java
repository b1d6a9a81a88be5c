package dev.cove.rpc.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

    /** {@code threadPrefix}: the application's name, so a thread dump says whose client this is. */
    ClientConnection(SocketChannel channel, ServerHello hello, LineReader reader, EventTypes eventTypes,
                     String threadPrefix) {
        this.channel = channel;
        this.hello = hello;
        this.reader = reader;
        this.eventTypes = eventTypes;
        Thread t = new Thread(this::readLoop, threadPrefix + "-client-reader");
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
                // wake each stream's consumer once for everything this read delivered
                for (EventStream s : fed) {
                    s.flush();
                }
                fed.clear();
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

    /** Streams given items during the current read; touched by the reader thread only. */
    private final java.util.Set<EventStream> fed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private void onFrame(byte[] buf, int off, int len) throws IOException {
        if (fastFrame(buf, off, len)) {
            return;
        }
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
                    s.deliver(decodeEvent(frame), false);
                    fed.add(s);
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

    /**
     * Handles the two frames that carry almost all traffic, {@code ok} and {@code event}, straight from
     * the bytes when their fields come in the order this protocol's servers write them (type, then id or
     * sub/seq/event, then encoding, then payload): no tree is built, and the payload is decoded in place.
     * Anything else returns false before any state changes, and goes the general way.
     */
    private boolean fastFrame(byte[] buf, int off, int len) throws IOException {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !"type".equals(p.nextFieldName())) {
                return false;
            }
            String type = p.nextTextValue();
            if ("ok".equals(type)) {
                if (!"id".equals(p.nextFieldName()) || p.nextToken() != JsonToken.VALUE_NUMBER_INT
                        || !"encoding".equals(p.nextFieldName())) {
                    return false;
                }
                long id = p.getLongValue();
                Encoding enc = Encoding.fromWire(p.nextTextValue());
                if (!"payload".equals(p.nextFieldName())) {
                    return false;
                }
                p.nextToken();
                Pending pend = pending.remove(id);
                if (pend == null) {
                    return true; // cancelled or timed out: nobody waits any more
                }
                try {
                    pend.future().complete(pend.onOk() != null ? pend.onOk().apply(p.readValueAsTree())
                            : pend.payloads().read(p, enc, pend.resultType()));
                } catch (RuntimeException | IOException e) {
                    pend.future().completeExceptionally(new RpcException(ErrorCode.DECODE_ERROR,
                            "could not decode the daemon's answer to " + pend.method() + ": " + e.getMessage()));
                }
                return true;
            }
            if ("event".equals(type)) {
                if (!"sub".equals(p.nextFieldName()) || p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    return false;
                }
                long sub = p.getLongValue();
                if (!"seq".equals(p.nextFieldName()) || p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    return false;
                }
                long seq = p.getLongValue();
                if (!"event".equals(p.nextFieldName())) {
                    return false;
                }
                String name = p.nextTextValue();
                if (name == null || !"encoding".equals(p.nextFieldName())) {
                    return false;
                }
                Encoding enc = Encoding.fromWire(p.nextTextValue());
                Class<?> eventType = eventTypes.type(name);
                if (eventType == null || !"payload".equals(p.nextFieldName())) {
                    return false; // an event type this client does not know arrives as JSON, the general way
                }
                p.nextToken();
                EventStream s = streams.get(sub);
                if (s != null) {
                    Object event;
                    try {
                        event = eventTypes.payloads(name).read(p, enc, eventType);
                    } catch (RpcException e) {
                        return false; // delivered as JSON by the general path, as before
                    }
                    s.deliver(new StreamItem.Delivered(seq, name, event), false);
                    fed.add(s);
                }
                return true;
            }
            return false;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return false; // let the general path report it
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
