package dev.cove.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A JSON-lines client on a plain JDK Unix socket, written without any Cove code: it is how a shell
 * script or another language talks to the daemon. Every read takes a timeout, so a silent daemon fails
 * the test instead of hanging it. One thread at a time.
 */
public final class RawClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ArrayDeque<JsonNode> unread = new ArrayDeque<>();
    private byte[] buf = new byte[64 * 1024];
    private int start;
    private int end;
    private int scanned;
    private boolean eof;
    private String closedBy;
    private JsonNode serverHello;

    private RawClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, SelectionKey.OP_READ);
    }

    /** Connects to an instance's socket (through its short path if the real one is too long). */
    public static RawClient connect(InstancePaths paths) {
        try {
            return connect(paths.connectPath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RawClient connect(Path socket) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new RawClient(ch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + socket, e);
        }
    }

    /** Reads the daemon's hello and answers with a protocol 1 hello. */
    public RawClient handshake() {
        serverHello = next();
        if (serverHello == null || !serverHello.path("type").asText().equals("hello")) {
            throw new AssertionError("expected the daemon's hello first, got " + serverHello);
        }
        send(Map.of("type", "hello", "protocol", 1, "name", "raw-test", "version", "0",
                "pid", ProcessHandle.current().pid()));
        return this;
    }

    /** The daemon's hello, once {@link #handshake} has read it. */
    public JsonNode serverHello() {
        return serverHello;
    }

    // ---- writing ----

    /** Sends one frame: a Map, record or JsonNode serialised as one line. */
    public void send(Object frame) {
        try {
            sendLine(JSON.writeValueAsString(frame));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends text followed by a newline, exactly as given. */
    public void sendLine(String line) {
        try {
            write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request frame: {"id":id,"type":kind,"method":method,"payload":payload}. */
    public void request(Object id, String method, Object payload) {
        ObjectNode f = JSON.createObjectNode();
        f.set("id", JSON.valueToTree(id));
        f.put("type", method.startsWith("action:") ? "action" : "query");
        f.put("method", method);
        if (payload != null) {
            f.set("payload", JSON.valueToTree(payload));
        }
        send(f);
    }

    /** Sends a request and waits for the answer with the same id (other frames stay readable). */
    public JsonNode call(Object id, String method, Object payload) {
        request(id, method, payload);
        return awaitId(id);
    }

    /**
     * Writes bytes until all are written or the daemon closes the connection; returns how many were
     * written. For hostile frames the daemon is expected to cut off.
     */
    public long writeUntilClosed(ByteBuffer data) {
        int from = data.position();
        try {
            write(data);
        } catch (IOException e) {
            // the daemon closed the connection (broken pipe / reset)
        }
        return data.position() - from;
    }

    private void write(ByteBuffer b) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the daemon took nothing for " + TIMEOUT.toSeconds() + " s");
                }
                key.interestOps(SelectionKey.OP_WRITE);
                selector.select(100);
                selector.selectedKeys().clear();
                key.interestOps(SelectionKey.OP_READ);
            }
        }
    }

    // ---- reading ----

    /** The next frame within {@link #TIMEOUT}; null once the daemon closed the connection. */
    public JsonNode next() {
        return next(TIMEOUT);
    }

    /** The next frame within {@code timeout}; null once the daemon closed the connection. Fails on timeout. */
    public JsonNode next(Duration timeout) {
        if (!unread.isEmpty()) {
            return unread.poll();
        }
        return readFrame(timeout);
    }

    /** The next frame satisfying {@code p}; frames read on the way stay readable, in order. */
    public JsonNode awaitFrame(Predicate<JsonNode> p, Duration timeout) {
        for (Iterator<JsonNode> it = unread.iterator(); it.hasNext(); ) {
            JsonNode f = it.next();
            if (p.test(f)) {
                it.remove();
                return f;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ArrayDeque<JsonNode> skipped = new ArrayDeque<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching frame within " + timeout.toMillis() + " ms; read meanwhile: "
                            + skipped);
                }
                JsonNode f = readFrame(Duration.ofNanos(left));
                if (f == null) {
                    throw new AssertionError("the daemon closed the connection (" + closedBy
                            + ") before a matching frame; read meanwhile: " + skipped);
                }
                if (p.test(f)) {
                    return f;
                }
                skipped.add(f);
            }
        } finally {
            unread.addAll(skipped);
        }
    }

    /** The ok or error frame answering request {@code id} (compared by JSON value, so 1 and "1" differ). */
    public JsonNode awaitId(Object id) {
        JsonNode want = JSON.valueToTree(id);
        return awaitFrame(f -> (f.path("type").asText().equals("ok") || f.path("type").asText().equals("error"))
                && want.equals(f.get("id")), TIMEOUT);
    }

    /** True once the daemon has closed the connection (end of stream or reset), reading and keeping frames on the way. */
    public boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            JsonNode f = tryRead(Duration.ofNanos(left));
            if (f != null) {
                unread.add(f);
            }
        }
        return true;
    }

    /** Why the connection ended: "eof" or the reset's message; null while open. */
    public String closedBy() {
        return closedBy;
    }

    private JsonNode readFrame(Duration timeout) {
        if (eof) {
            JsonNode f = parseBuffered();
            return f;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode f = tryRead(Duration.ofNanos(Math.max(0, left)));
            if (f != null || eof) {
                return f;
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("no frame from the daemon within " + timeout.toMillis() + " ms");
            }
        }
    }

    /** A frame if one is complete within the timeout; null on timeout or end of stream. */
    private JsonNode tryRead(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode f = parseBuffered();
            if (f != null) {
                return f;
            }
            if (eof) {
                return null;
            }
            if (end == buf.length) {
                grow();
            }
            int n;
            try {
                n = channel.read(ByteBuffer.wrap(buf, end, buf.length - end));
            } catch (IOException e) {
                eof = true;
                closedBy = e.getMessage();
                return parseBuffered();
            }
            if (n < 0) {
                eof = true;
                closedBy = "eof";
                return parseBuffered();
            }
            if (n > 0) {
                end += n;
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                selector.select(Math.max(1, Duration.ofNanos(left).toMillis()));
                selector.selectedKeys().clear();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private JsonNode parseBuffered() {
        for (int i = scanned; i < end; i++) {
            if (buf[i] == '\n') {
                int s = start;
                start = i + 1;
                scanned = start;
                try {
                    return JSON.readTree(buf, s, i - s);
                } catch (IOException e) {
                    throw new AssertionError("the daemon sent a line that is not JSON: "
                            + new String(buf, s, i - s, StandardCharsets.UTF_8), e);
                }
            }
        }
        scanned = end;
        return null;
    }

    private void grow() {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            scanned -= start;
            start = 0;
            if (end < buf.length) {
                return;
            }
        }
        byte[] bigger = new byte[buf.length * 2];
        System.arraycopy(buf, 0, bigger, 0, end);
        buf = bigger;
    }

    @Override
    public void close() {
        try {
            selector.close();
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
