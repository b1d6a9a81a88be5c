package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.core.Ping;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.wire.Protocol;
import dev.cove.tests.cli.Cli.Result;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.RawClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Payloads nested too deep or too large for a frame, sent by {@code cove call} and by a raw client: each gets
 * the documented error code (docs/protocol.md) with the request's id, the CLI says what went wrong without a
 * stack trace or a wait for its timeout, and the daemon goes on serving.
 */
class DeepAndLargePayloadTest {
    static final String PING = "query:core.ping.v1";
    @TempDir
    static Path tmp;
    static DaemonProcess daemon;
    static Cli cli;

    @BeforeAll
    static void start() {
        daemon = DaemonProcess.start(tmp.resolve("data"), "badinput");
        cli = new Cli(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** A JSON object nested {@code depth} levels: {"a":{"a":...1...}}. */
    static String nested(int depth) {
        StringBuilder sb = new StringBuilder(depth * 6 + 1);
        sb.append("{\"a\":".repeat(depth - 1)).append("{\"a\":1}");
        sb.append("}".repeat(depth - 1));
        return sb.toString();
    }

    /** Another client, on a connection of its own, is still served. */
    static void canary() {
        try (var c = daemon.clientBuilder().clientName("canary", "0").build()) {
            assertEquals(daemon.pid(), c.call(new Ping()).pid(), "the daemon still serves other clients");
        }
    }

    Result call(String payload) {
        // --timeout: a CLI waiting for an answer that never comes fails in 30 s (TIMEOUT, exit 4), not 120 s
        return cli.run("--instance", "badinput", "call", "--timeout", "30", PING, payload);
    }

    @Test
    void aRawClientGetsEachNestingErrorWithItsIdAndTheConnectionStaysUsable() {
        try (RawClient raw = daemon.raw()) {
            // exactly the limit: the frame reads, the payload reaches the method, which refuses it
            raw.sendLine("{\"id\":\"d200\",\"type\":\"query\",\"method\":\"" + PING + "\",\"payload\":" + nested(200) + "}");
            JsonNode at = raw.awaitId("d200");
            assertEquals("DECODE_ERROR", at.path("error").path("code").asText(), at.toString());
            for (int depth : new int[]{201, 10_000}) {
                String id = "d" + depth;
                raw.sendLine("{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":\"" + PING + "\",\"payload\":"
                        + nested(depth) + "}");
                JsonNode f = raw.awaitId(id);
                assertEquals("BAD_FRAME", f.path("error").path("code").asText(), f.toString());
                assertEquals("too_deep", f.path("error").path("details").path("reason").asText(), f.toString());
                assertTrue(f.path("error").path("message").asText().contains("deeper than " + Json.MAX_NESTING),
                        f.toString());
            }
            // the id may come after the payload: still read
            raw.sendLine("{\"type\":\"query\",\"method\":\"" + PING + "\",\"payload\":" + nested(5000) + ",\"id\":77}");
            assertEquals("BAD_FRAME", raw.awaitId(77).path("error").path("code").asText());
            assertEquals("ok", raw.call(1, PING, null).path("type").asText(), "the same connection still works");
        }
        canary();
    }

    @Test
    void aRawClientSendingTwentyMegabytesGetsFrameTooLargeWithItsId() {
        try (RawClient raw = daemon.raw()) {
            String head = "{\"id\":\"big\",\"type\":\"query\",\"method\":\"" + PING + "\",\"payload\":{\"a\":\"";
            byte[] line = (head + "x".repeat(20 << 20) + "\"}}\n").getBytes(StandardCharsets.UTF_8);
            raw.writeUntilClosed(ByteBuffer.wrap(line));
            JsonNode f = raw.awaitId("big");
            assertEquals("FRAME_TOO_LARGE", f.path("error").path("code").asText(), f.toString());
            assertEquals(Protocol.DEFAULT_MAX_FRAME_BYTES, f.path("error").path("details").path("limit").asInt());
            assertTrue(raw.awaitClosed(Duration.ofSeconds(20)), "the daemon closes a connection after FRAME_TOO_LARGE");
        }
        canary();
    }

    @Test
    void theCliSaysWhatIsWrongWithADeepPayloadWithoutAStackTraceOrAWait() {
        Result at = call(nested(200));
        assertEquals(1, at.exit(), at.toString());
        assertTrue(at.err().contains("unknown field 'a'"), at.toString()); // the daemon's DECODE_ERROR, by its id
        for (int depth : new int[]{201, 10_000}) {
            Result r = call(nested(depth));
            assertEquals(2, r.exit(), r.toString()); // a usage error, like a payload that is not JSON
            assertTrue(r.err().contains("nests deeper than " + Json.MAX_NESTING + " levels"), r.toString());
            assertFalse(r.err().contains("Exception"), r.toString());
        }
        canary();
    }

    @Test
    void theCliRefusesAPayloadOverTheFrameLimitBeforeSendingIt() {
        Result r = call("{\"a\":\"" + "x".repeat(20 << 20) + "\"}");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("more than the daemon's frame limit of " + Protocol.DEFAULT_MAX_FRAME_BYTES
                + " bytes; nothing was sent"), r.toString());
        assertFalse(r.err().contains("broke"), r.toString());
        canary();
    }
}
