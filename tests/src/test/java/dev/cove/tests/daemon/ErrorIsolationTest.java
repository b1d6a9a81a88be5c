package dev.cove.tests.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.wire.Protocol;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.SharedDaemon;
import dev.cove.tests.support.RawClient;
import dev.cove.tests.support.TestPlugin;
import dev.cove.tests.support.plugin.Echo;
import dev.cove.tests.support.plugin.Echoed;
import dev.cove.tests.support.plugin.FailInput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each kind of bad input gets its own error code, and none of them disturbs the daemon: a client
 * connected beforehand keeps calling it throughout (a background thread) and afterwards.
 */
class ErrorIsolationTest {
    @RegisterExtension
    static final SharedDaemon DAEMON = SharedDaemon.withTestPlugin("default");

    /** The other client: connected before the abuse, calling all through it. */
    private CoreClient bystander;
    private Thread caller;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong ok = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void connectBystander() {
        bystander = DAEMON.daemon().client();
        bystander.connect();
        caller = new Thread(() -> {
            int i = 0;
            while (!stop.get() && failures.size() < 100) {
                try {
                    Echoed e = bystander.call(new Echo("bystander", i));
                    if (e.n() != i || !e.text().equals("bystander") || e.pid() != DAEMON.daemon().pid()) {
                        failures.add(new AssertionError("wrong answer " + e + " to call " + i));
                    }
                    ok.incrementAndGet();
                    i++;
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        }, "bystander");
        caller.start();
        // the bystander is demonstrably served before the abuse starts
        long before = ok.get();
        Await.until(Duration.ofSeconds(10), () -> ok.get() > before + 10, "the bystander's first calls");
    }

    @AfterEach
    void bystanderWasNeverDisturbed() throws InterruptedException {
        try {
            long during = ok.get();
            // and it is still served afterwards
            Await.until(Duration.ofSeconds(10), () -> ok.get() > during + 10, "the bystander's calls after the abuse");
        } finally {
            stop.set(true);
            caller.join(10_000);
        }
        assertTrue(failures.isEmpty(), "the other client's calls failed: " + failures);
        Pong pong = bystander.call(new Ping());
        assertEquals(DAEMON.daemon().pid(), pong.pid());
        assertTrue(DAEMON.daemon().process().isAlive());
        bystander.close();
    }

    @Test
    void malformedFramesGetBadFrameAndTheConnectionStaysUsable() {
        try (RawClient raw = DAEMON.daemon().raw()) {
            raw.sendLine("{this is not json");
            assertError(raw.next(), null, "BAD_FRAME");
            raw.sendLine("[1,2,3]");
            assertError(raw.next(), null, "BAD_FRAME");
            raw.sendLine("{\"id\":{\"nested\":true},\"type\":\"query\",\"method\":\"query:core.ping.v1\"}");
            assertError(raw.next(), null, "BAD_FRAME");
            raw.sendLine("{\"id\":5,\"type\":\"teleport\"}");
            assertError(raw.next(), 5, "BAD_FRAME");
            raw.sendLine("{\"id\":6,\"type\":\"query\"}");
            assertError(raw.next(), 6, "BAD_FRAME");
            // the same connection still works
            JsonNode pong = raw.call(7, "query:core.ping.v1", Map.of());
            assertEquals("ok", pong.path("type").asText(), pong.toString());
            assertEquals(DAEMON.daemon().pid(), pong.path("payload").path("pid").asLong());
        }
    }

    @Test
    void oversizedFrameGetsFrameTooLargeAndTheConnectionIsClosed() {
        try (RawClient raw = DAEMON.daemon().raw()) {
            assertEquals(Protocol.DEFAULT_MAX_FRAME_BYTES, raw.serverHello().path("maxFrame").asInt());
            byte[] head = "{\"id\":1,\"type\":\"query\",\"method\":\"query:test.echo.v1\",\"payload\":{\"text\":\""
                    .getBytes(StandardCharsets.UTF_8);
            byte[] frame = Arrays.copyOf(head, Protocol.DEFAULT_MAX_FRAME_BYTES + 4 * 1024 * 1024); // 20 MiB, no newline
            Arrays.fill(frame, head.length, frame.length, (byte) 'a');
            long written = raw.writeUntilClosed(ByteBuffer.wrap(frame));
            assertTrue(written >= Protocol.DEFAULT_MAX_FRAME_BYTES, "the daemon reads up to its limit first: " + written);
            // and no further: it cuts the connection at the limit instead of buffering the rest
            assertTrue(written < frame.length, "the daemon stopped reading near its limit: " + written + " of "
                    + frame.length + " bytes taken");
            JsonNode err = raw.next();
            assertError(err, 1, "FRAME_TOO_LARGE"); // the id comes first, so the refusal carries it
            assertEquals(Protocol.DEFAULT_MAX_FRAME_BYTES, err.path("error").path("details").path("limit").asInt());
            assertTrue(raw.awaitClosed(Duration.ofSeconds(10)), "the daemon closes the connection after FRAME_TOO_LARGE");
        }
    }

    @Test
    void unknownMethodGetsMethodNotFound() {
        try (RawClient raw = DAEMON.daemon().raw()) {
            JsonNode err = raw.call("u1", "query:core.pingg.v1", Map.of());
            assertError(err, "u1", "METHOD_NOT_FOUND");
            assertEquals("query:core.pingg.v1", err.path("error").path("details").path("method").asText());
            assertError(raw.call("u2", "action:nobody.home.input.v1", Map.of()), "u2", "METHOD_NOT_FOUND");
            // a known method sent as the wrong kind of frame is refused too
            raw.send(Map.of("id", "u3", "type", "action", "method", "query:core.ping.v1"));
            assertError(raw.awaitId("u3"), "u3", "BAD_FRAME");
        }
        RpcException e = assertThrows(RpcException.class,
                () -> otherClient().callJson("query:no.such.method.v1", null, Duration.ofSeconds(10)));
        assertEquals(ErrorCode.METHOD_NOT_FOUND, e.code());
    }

    @Test
    void throwingHandlerGetsExecutionError() {
        try (RawClient raw = DAEMON.daemon().raw()) {
            JsonNode err = raw.call(11, "action:test.fail.input.v1", Map.of("message", "on purpose"));
            assertError(err, 11, "EXECUTION_ERROR");
            assertTrue(err.path("error").path("message").asText().contains("on purpose"), err.toString());
            assertEquals("java.lang.IllegalStateException",
                    err.path("error").path("details").path("exception").asText(), err.toString());
        }
        // typed, through CoreClient with Kryo
        CoreClient c = otherClient();
        RpcException e = assertThrows(RpcException.class, () -> c.call(new FailInput("typed")));
        assertEquals(ErrorCode.EXECUTION_ERROR, e.code(), e.toString());
        assertTrue(e.getMessage().contains("typed"), e.getMessage());
        // the failing client's own connection carries on too
        assertEquals("after", c.call(new Echo("after", 1)).text());
    }

    @Test
    void badPayloadsGetDecodeErrorOrInvalidInput() {
        try (RawClient raw = DAEMON.daemon().raw()) {
            // a field the record does not have
            JsonNode unknown = raw.call(21, "query:test.echo.v1", Map.of("text", "x", "n", 1, "colour", "red"));
            assertError(unknown, 21, "DECODE_ERROR");
            assertTrue(unknown.path("error").path("message").asText().contains("colour"), unknown.toString());
            // a value of the wrong type
            assertError(raw.call(22, "query:test.echo.v1", Map.of("text", "x", "n", "many")), 22, "DECODE_ERROR");
            // a payload that is not an object
            assertError(raw.call(23, "query:test.echo.v1", List.of(1, 2)), 23, "DECODE_ERROR");
            // well-formed, but the record refuses the value
            JsonNode invalid = raw.call(24, "query:test.echo.v1", Map.of("text", "x", "n", -1));
            assertError(invalid, 24, "INVALID_INPUT");
            assertTrue(invalid.path("error").path("message").asText().contains("must not be negative"), invalid.toString());
            // kryo bytes that are not a kryo payload of this method, with the right schema fingerprint
            String schema = kryoSchemaOf("query:test.echo.v1", raw);
            raw.send(Map.of("id", 25, "type", "query", "method", "query:test.echo.v1", "encoding", "kryo",
                    "schema", schema, "payload", "AAECAwQFBgcICQ=="));
            assertError(raw.awaitId(25), 25, "DECODE_ERROR");
            raw.send(Map.of("id", 26, "type", "query", "method", "query:test.echo.v1", "encoding", "kryo",
                    "schema", schema, "payload", "%%% not base64 %%%"));
            assertError(raw.awaitId(26), 26, "DECODE_ERROR");
            // an unknown encoding is a bad frame
            raw.send(Map.of("id", 27, "type", "query", "method", "query:test.echo.v1", "encoding", "xml",
                    "payload", Map.of()));
            assertError(raw.awaitId(27), 27, "BAD_FRAME");
            // and afterwards a good call on the same connection
            JsonNode good = raw.call(28, "query:test.echo.v1", Map.of("text", "fine", "n", 3));
            assertEquals("ok", good.path("type").asText(), good.toString());
        }
        // typed: the record itself refuses on the client side before anything is sent
        assertThrows(IllegalArgumentException.class, () -> new Echo("x", -1));
    }

    private static String kryoSchemaOf(String method, RawClient raw) {
        JsonNode methods = raw.call("m", "query:core.methods.v1", null);
        for (JsonNode m : methods.path("payload").path("methods")) {
            if (m.path("method").asText().equals(method)) {
                return m.path("kryoSchema").asText();
            }
        }
        throw new AssertionError(method + " not listed");
    }

    private CoreClient otherClient() {
        return DAEMON.daemon().client();
    }

    private static void assertError(JsonNode frame, Object id, String code) {
        assertNotNull(frame, "the daemon closed the connection instead of answering " + code);
        assertEquals("error", frame.path("type").asText(), frame.toString());
        assertEquals(code, frame.path("error").path("code").asText(), frame.toString());
        assertTrue(frame.path("error").path("message").asText().length() > 5, "a message a person can act on: " + frame);
        if (id == null) {
            assertTrue(frame.get("id") == null || frame.get("id").isNull(), "no id to echo: " + frame);
        } else {
            assertEquals(RawClient.JSON.valueToTree(id), frame.get("id"), "id echoed with its JSON type: " + frame);
        }
    }
}
