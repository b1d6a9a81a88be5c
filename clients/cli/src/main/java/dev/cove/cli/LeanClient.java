package dev.cove.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.instance.DaemonSocket;
import dev.cove.rpc.instance.InstancePaths;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The protocol of docs/protocol.md for one short CLI run, on jackson-core alone: connect, send our hello,
 * read the daemon's, then one query at a time, each answered by the frame with its id. {@code CoreClient}
 * does the same and much more (many calls in flight, Kryo, events, reconnects), and its set-up is most of
 * a {@code cove status}: Jackson databind, Kryo, a reader thread. Anything unusual (no socket, a daemon that
 * does not greet, a frame this class does not expect) is an {@link IOException}, so that the caller can
 * hand the command to the full CLI, which reports it as it always has.
 */
final class LeanClient implements Closeable {
    /** As {@code Json.MAPPER}'s factory: the same limits for what the daemon may send. */
    static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(200).maxStringLength(64 * 1024 * 1024).maxNumberLength(100).build())
            .build();
    private static final int MAX_FRAME = 16 * 1024 * 1024;
    private static final long HELLO_WAIT_MS = 5000;

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private byte[] line = new byte[64 * 1024];
    private long ids;
    /** The daemon's hello, as plain values. */
    private Map<String, Object> hello = Map.of();

    private LeanClient(SocketChannel channel) {
        this.channel = channel;
        in.limit(0);
    }

    Map<String, Object> hello() {
        return hello;
    }

    /**
     * Connects to the instance's daemon and sends our hello. The daemon's hello is read with the first answer
     * (see {@link #call}): the protocol lets a client speak before it has read the daemon's greeting, as
     * CoreClient does, and not waiting for it saves a round trip on every quick command.
     */
    static LeanClient connect(InstancePaths paths, String name, String version) throws IOException {
        // refuses a server of another user before a byte is sent (DaemonSocket.UntrustedServerException)
        SocketChannel ch = DaemonSocket.connect(paths.socket(), paths.connectPath());
        try {
            LeanClient c = new LeanClient(ch);
            JsonGenerator g = c.startFrame("hello");
            g.writeNumberField("protocol", 1);
            g.writeStringField("name", name);
            g.writeStringField("version", version);
            g.writeNumberField("pid", ProcessHandle.current().pid());
            g.writeArrayFieldStart("encodings");
            g.writeString("json");
            g.writeEndArray();
            c.endFrame(g);
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    /**
     * Reads the daemon's hello and returns it (for {@code cove start}): an RpcException if the daemon greets with
     * an error (UNAUTHORIZED, SHUTTING_DOWN, ...), as CoreClient throws it; IOException for anything else that is
     * not a protocol 1 hello.
     */
    Map<String, Object> greeting() throws IOException {
        if (hello.isEmpty()) {
            Map<String, Object> h = readFrame(HELLO_WAIT_MS);
            if ("error".equals(h.get("type")) && h.get("error") instanceof Map<?, ?> err) {
                throw toException(err);
            }
            if (!"hello".equals(h.get("type")) || !Long.valueOf(1).equals(h.get("protocol"))) {
                throw new IOException("not a protocol 1 hello: " + h.get("type"));
            }
            hello = h;
        }
        return hello;
    }

    /** Reads the daemon's hello if it has not been read; IOException for anything but a protocol 1 hello. */
    private void readHello() throws IOException {
        if (!hello.isEmpty()) {
            return;
        }
        Map<String, Object> h = readFrame(HELLO_WAIT_MS);
        if (!"hello".equals(h.get("type")) || !Long.valueOf(1).equals(h.get("protocol"))) {
            throw new IOException("not a protocol 1 hello: " + h.get("type"));
        }
        hello = h;
    }

    /**
     * Calls a query or action and returns its JSON payload as plain values. A daemon error is an
     * RpcException as {@code CoreClient} throws it; a broken connection or an unexpected frame an IOException.
     */
    Object call(String method, Object payload, long timeoutMillis) throws IOException {
        long id = ++ids;
        String kind = method.startsWith("action:") ? "action" : "query";
        JsonGenerator g = startFrame(kind);
        g.writeNumberField("id", id);
        g.writeStringField("method", method);
        g.writeStringField("encoding", "json");
        g.writeNumberField("timeout", Math.max(1, timeoutMillis));
        g.writeFieldName("payload");
        JsonValues.write(g, payload);
        endFrame(g);
        readHello();
        // the daemon enforces the timeout and answers TIMEOUT; this backstop covers one that cannot answer
        long deadline = System.nanoTime() + (timeoutMillis + 2000) * 1_000_000;
        while (true) {
            Map<String, Object> f = readFrame(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (!Long.valueOf(id).equals(f.get("id"))) {
                continue; // an id-less error about something else; nothing else is in flight
            }
            if ("ok".equals(f.get("type"))) {
                return f.get("payload");
            }
            if ("error".equals(f.get("type")) && f.get("error") instanceof Map<?, ?> err) {
                throw toException(err);
            }
            throw new IOException("unexpected answer of type " + f.get("type"));
        }
    }

    @SuppressWarnings("unchecked")
    private static RpcException toException(Map<?, ?> err) {
        ErrorCode code = ErrorCode.fromWire(err.get("code") instanceof String s ? s : null);
        Map<String, Object> details = new LinkedHashMap<>();
        if (err.get("details") instanceof Map<?, ?> d) {
            details.putAll((Map<String, Object>) d);
        }
        return new RpcException(code, err.get("message") instanceof String m ? m : code.name(), details);
    }

    /** Closes the channel when its time is up, which fails a blocking read (a plain class: no lambda to link). */
    private static final class Deadline extends Thread {
        private final SocketChannel channel;
        private final long millis;

        Deadline(SocketChannel channel, long millis) {
            super("cove-cli-deadline");
            this.channel = channel;
            this.millis = millis;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                Thread.sleep(millis);
                channel.close();
            } catch (InterruptedException | IOException ignored) {
                // answered in time
            }
        }
    }

    private ByteArrayBuilder frameBytes;

    private JsonGenerator startFrame(String type) throws IOException {
        frameBytes = new ByteArrayBuilder(256);
        JsonGenerator g = JSON.createGenerator(frameBytes);
        g.writeStartObject();
        g.writeStringField("type", type);
        return g;
    }

    private void endFrame(JsonGenerator g) throws IOException {
        g.writeEndObject();
        g.close();
        frameBytes.append('\n');
        write(frameBytes.toByteArray());
    }

    private void write(byte[] frame) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(frame);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** The next non-empty line, parsed as a JSON object, within {@code millis}. */
    private Map<String, Object> readFrame(long millis) throws IOException {
        Deadline deadline = new Deadline(channel, millis);
        deadline.start();
        try {
            return readFrame();
        } finally {
            deadline.interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readFrame() throws IOException {
        int len = 0;
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    int n = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
                    if (n == 0) {
                        len = 0;
                        continue;
                    }
                    Object v = JsonReader.parse(line, 0, n); // not jackson-core's parser: see JsonReader
                    if (!(v instanceof Map)) {
                        throw new IOException("a frame that is not one JSON object");
                    }
                    return (Map<String, Object>) v;
                }
                if (len == line.length) {
                    if (len >= MAX_FRAME) {
                        throw new IOException("a frame over " + MAX_FRAME + " bytes");
                    }
                    line = Arrays.copyOf(line, Math.min(MAX_FRAME, len * 2));
                }
                line[len++] = b;
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("the daemon closed the connection");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
