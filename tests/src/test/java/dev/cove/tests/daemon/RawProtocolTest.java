package dev.cove.tests.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Payloads;
import dev.cove.rpc.wire.Protocol;
import dev.cove.tests.support.SharedDaemon;
import dev.cove.tests.support.RawClient;
import dev.cove.tests.support.TestPlugin;
import dev.cove.tests.support.plugin.Echo;
import dev.cove.tests.support.plugin.Echoed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Talks to a real daemon the way a shell script or another language would: JSON lines on a plain Unix
 * socket, no Cove client code.
 */
class RawProtocolTest {
    @RegisterExtension
    static final SharedDaemon DAEMON = SharedDaemon.withTestPlugin("raw");

    @Test
    void helloPingStatusAndMethodsGetCorrectAnswers() {
        try (RawClient raw = RawClient.connect(DAEMON.daemon().paths())) {
            JsonNode hello = raw.next();
            assertEquals("hello", hello.path("type").asText(), hello.toString());
            assertEquals(1, hello.path("protocol").asInt(), hello.toString());
            assertEquals("raw", hello.path("instance").asText());
            assertEquals(DAEMON.daemon().pid(), hello.path("pid").asLong());
            Set<String> encodings = new HashSet<>();
            hello.path("encodings").forEach(e -> encodings.add(e.asText()));
            assertEquals(Set.of("json", "kryo"), encodings);
            assertEquals(Protocol.DEFAULT_MAX_FRAME_BYTES, hello.path("maxFrame").asInt());
            assertTrue(hello.path("registry").asText().length() >= 8, "hello carries the registry fingerprint");

            // a request before our hello is refused, and the connection stays usable
            raw.request(0, "query:core.ping.v1", Map.of());
            JsonNode early = raw.awaitId(0);
            assertEquals("error", early.path("type").asText(), early.toString());
            assertEquals("BAD_FRAME", early.path("error").path("code").asText());

            raw.send(Map.of("type", "hello", "protocol", 1, "name", "raw-test", "pid", ProcessHandle.current().pid()));

            // string id, echoed as a string
            JsonNode pong = raw.call("ping-1", "query:core.ping.v1", Map.of());
            assertEquals("ok", pong.path("type").asText(), pong.toString());
            assertTrue(pong.get("id").isTextual(), "a string id comes back as a string: " + pong);
            assertEquals("ping-1", pong.get("id").asText());
            assertEquals("json", pong.path("encoding").asText());
            assertEquals("raw", pong.path("payload").path("instance").asText());
            assertEquals(DAEMON.daemon().pid(), pong.path("payload").path("pid").asLong());

            // numeric id (beyond 32 bits), echoed as a number; no payload at all is allowed for no-input calls
            long big = 1L << 40;
            raw.send(Map.of("id", big, "type", "query", "method", "query:core.status.v1"));
            JsonNode status = raw.awaitId(big);
            assertEquals("ok", status.path("type").asText(), status.toString());
            assertTrue(status.get("id").isIntegralNumber(), "a numeric id comes back as a number: " + status);
            assertEquals(big, status.get("id").asLong());
            JsonNode s = status.path("payload");
            assertEquals("raw", s.path("instance").asText());
            assertEquals(DAEMON.daemon().pid(), s.path("pid").asLong());
            assertEquals(DAEMON.daemon().paths().socket().toString(), s.path("socket").asText());
            assertEquals(DAEMON.daemon().paths().dataDir().toString(), s.path("dataDir").asText());
            assertEquals(1, s.path("protocol").asInt());
            assertTrue(s.path("clients").asInt() >= 1, "status counts this client: " + s);
            assertTrue(s.path("uptimeMillis").asLong() >= 0);

            // methods: the core operations and the plugin's, each with kind and schemas
            JsonNode methods = raw.call(3, "query:core.methods.v1", null);
            assertEquals("ok", methods.path("type").asText(), methods.toString());
            assertEquals(3, methods.get("id").asInt());
            Map<String, JsonNode> byName = new HashMap<>();
            methods.path("payload").path("methods").forEach(m -> byName.put(m.path("method").asText(), m));
            for (String m : List.of("query:core.ping.v1", "query:core.status.v1", "action:core.shutdown.input.v1",
                    "query:core.methods.v1", "query:core.instances.v1", "query:core.clients.v1",
                    "action:test.fail.input.v1", "query:test.echo.v1", "action:test.burst.input.v1",
                    "action:test.log.input.v1", "query:test.sleep.v1")) {
                assertTrue(byName.containsKey(m), m + " is listed by core.methods: " + byName.keySet());
            }
            JsonNode echo = byName.get("query:test.echo.v1");
            assertEquals("QUERY", echo.path("kind").asText().toUpperCase());
            assertTrue(echo.path("source").asText().endsWith("cove-test-plugin.jar"),
                    "the plugin op says it came from the plugin jar: " + echo);
            assertTrue(echo.path("inputSchema").path("properties").has("text"), "input schema: " + echo);
            assertTrue(echo.path("outputSchema").path("properties").has("pid"), "output schema: " + echo);
            assertEquals("ACTION", byName.get("action:core.shutdown.input.v1").path("kind").asText().toUpperCase());
            assertTrue(methods.path("payload").path("events").has("LogMessage"), "event types are described");
        }
    }

    @Test
    void severalRequestsInFlightOnOneConnectionAreAnsweredById() {
        try (RawClient raw = DAEMON.daemon().raw()) {
            // one write, three requests: a slow one first, so answers come back out of order
            raw.sendLine("{\"id\":\"slow\",\"type\":\"query\",\"method\":\"query:test.sleep.v1\",\"payload\":{\"millis\":1000}}\n"
                    + "{\"id\":7,\"type\":\"query\",\"method\":\"query:core.ping.v1\",\"payload\":{}}\n"
                    + "{\"id\":\"8\",\"type\":\"query\",\"method\":\"query:test.echo.v1\",\"payload\":{\"text\":\"hi\",\"n\":8}}");
            List<JsonNode> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                JsonNode f = raw.next();
                assertNotNull(f, "the daemon closed the connection");
                answers.add(f);
            }
            Map<JsonNode, JsonNode> byId = new HashMap<>();
            for (JsonNode a : answers) {
                assertEquals("ok", a.path("type").asText(), a.toString());
                byId.put(a.get("id"), a);
            }
            JsonNode slow = byId.get(RawClient.JSON.valueToTree("slow"));
            JsonNode ping = byId.get(RawClient.JSON.valueToTree(7));
            JsonNode echo = byId.get(RawClient.JSON.valueToTree("8"));
            assertNotNull(slow, "answer to \"slow\": " + answers);
            assertNotNull(ping, "answer to 7: " + answers);
            assertNotNull(echo, "answer to \"8\" (a string, not the number 8): " + answers);
            assertEquals(1000, slow.path("payload").path("millis").asLong());
            assertEquals(DAEMON.daemon().pid(), ping.path("payload").path("pid").asLong());
            assertEquals("hi", echo.path("payload").path("text").asText());
            assertEquals(8, echo.path("payload").path("n").asInt());
            assertEquals("raw", echo.path("payload").path("instance").asText());
            // the slow call did not hold the others up
            assertEquals(answers.get(2), slow, "the slow call answers last: " + answers);
        }
    }

    @Test
    void aNewerClientProtocolIsRefusedNamingTheSideToUpgrade() {
        try (RawClient raw = RawClient.connect(DAEMON.daemon().paths())) {
            assertEquals("hello", raw.next().path("type").asText());
            raw.send(Map.of("type", "hello", "protocol", 2, "name", "from-the-future"));
            JsonNode err = raw.next();
            assertNotNull(err, "an error before the connection closes");
            assertEquals("UNSUPPORTED_VERSION", err.path("error").path("code").asText(), err.toString());
            assertTrue(err.path("error").path("message").asText().contains("upgrade the daemon"), err.toString());
            assertTrue(raw.awaitClosed(java.time.Duration.ofSeconds(10)));
        }
    }

    @Test
    void anIdAlreadyInFlightIsRefused() {
        try (RawClient raw = DAEMON.daemon().raw()) {
            raw.send(Map.of("id", "same", "type", "query", "method", "query:test.sleep.v1", "payload", Map.of("millis", 500)));
            raw.send(Map.of("id", "same", "type", "query", "method", "query:core.ping.v1"));
            JsonNode first = raw.next();
            assertEquals("error", first.path("type").asText(), first.toString());
            assertEquals("BAD_FRAME", first.path("error").path("code").asText());
            assertEquals("same", first.path("id").asText());
            JsonNode second = raw.next();
            assertEquals("ok", second.path("type").asText(), second.toString());
            assertEquals(500, second.path("payload").path("millis").asLong(), "the call in flight still answers");
        }
    }

    @Test
    void kryoPayloadsWorkOnTheWireForPluginContracts() {
        // a Kryo request built from the contract records, exactly as a Java client encodes it
        Payloads payloads = new Payloads(Protocol.DEFAULT_MAX_FRAME_BYTES, List.of(Echo.class, Echoed.class));
        String b64 = java.util.Base64.getEncoder().encodeToString(payloads.kryo().encode(new Echo("über", 42)));
        try (RawClient raw = DAEMON.daemon().raw()) {
            raw.send(Map.of("id", 1, "type", "query", "method", "query:test.echo.v1", "encoding", "kryo",
                    "schema", payloads.fingerprint(), "payload", b64));
            JsonNode ok = raw.awaitId(1);
            assertEquals("ok", ok.path("type").asText(), ok.toString());
            assertEquals("kryo", ok.path("encoding").asText());
            Echoed e = payloads.kryo().decode(java.util.Base64.getDecoder().decode(ok.path("payload").asText()),
                    Echoed.class);
            assertEquals(new Echoed("über", 42, "raw", DAEMON.daemon().pid()), e);

            // a wrong fingerprint is refused, never decoded
            raw.send(Map.of("id", 2, "type", "query", "method", "query:test.echo.v1", "encoding", "kryo",
                    "schema", "0000000000000000", "payload", b64));
            JsonNode mismatch = raw.awaitId(2);
            assertEquals("DECODE_ERROR", mismatch.path("error").path("code").asText(), mismatch.toString());
            assertEquals("schema_mismatch", mismatch.path("error").path("details").path("reason").asText());
        }
    }
}
