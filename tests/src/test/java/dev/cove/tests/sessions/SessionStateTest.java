package dev.cove.tests.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.SessionRegistered;
import dev.cove.api.sessions.StateUpdated;
import dev.cove.api.sessions.UpdateState;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.RawClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deep-merged session state through a real daemon, over JSON (as a script sends it) and Kryo (as Java does). */
class SessionStateTest {
    @TempDir
    static Path tmp;
    static DaemonProcess daemon;
    static final long PID = ProcessHandle.current().pid();

    @BeforeAll
    static void start() {
        daemon = DaemonProcess.start(tmp.resolve("data"), "sstate");
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static JsonNode ok(JsonNode frame) {
        assertEquals("ok", frame.path("type").asText(), () -> "expected ok, got " + frame);
        return frame.path("payload");
    }

    private static JsonNode json(String text) throws Exception {
        return RawClient.JSON.readTree(text);
    }

    @Test
    void nestedObjectsMergeArraysReplaceAndNullDeletesOverJson() throws Exception {
        try (RawClient raw = daemon.raw()) {
            JsonNode reg = ok(raw.call(1, "action:sessions.register.input.v1", json("""
                    {"app":"MergeApp","version":"2.1","pid":%d,
                     "state":{"window":{"open":["w1"],"active":"w1","size":{"w":800,"h":600}},"memory":{"mb":50}}}
                    """.formatted(PID))));
            String id = reg.path("sessionId").asText();
            String update = "action:sessions.state.update.input.v1";

            JsonNode r = ok(raw.call(2, update, json("""
                    {"sessionId":"%s","patch":{"window":{"open":["w1","w2"],"size":{"w":1024}}}}""".formatted(id))));
            assertTrue(r.path("changed").asBoolean());
            assertEquals(2, r.path("stateVersion").asLong(), "the initial state was version 1");

            ok(raw.call(3, update, json("""
                    {"sessionId":"%s","patch":{"memory":{"mb":75},"tabs":[1,2,3]}}""".formatted(id))));
            // arrays replace (never merge by element); null deletes, also nested
            ok(raw.call(4, update, json("""
                    {"sessionId":"%s","patch":{"tabs":[9],"window":{"active":null,"size":{"h":null}}}}""".formatted(id))));
            // a scalar over an object replaces it; an object over a scalar too
            ok(raw.call(5, update, json("""
                    {"sessionId":"%s","patch":{"memory":"unknown","user":{"name":"ann"}}}""".formatted(id))));

            JsonNode same = ok(raw.call(6, update, json("""
                    {"sessionId":"%s","patch":{"user":{"name":"ann"},"tabs":[9],"gone":null}}""".formatted(id))));
            assertFalse(same.path("changed").asBoolean(), "a patch that changes nothing is reported as such");
            assertEquals(5, same.path("stateVersion").asLong());

            JsonNode detail = ok(raw.call(7, "query:sessions.get.v1", json("{\"sessionId\":\"%s\"}".formatted(id))));
            assertEquals(json("""
                    {"window":{"open":["w1","w2"],"size":{"w":1024}},"memory":"unknown","tabs":[9],"user":{"name":"ann"}}
                    """), detail.path("state"));
            assertEquals(5, detail.path("session").path("stateVersion").asLong());
        }
    }

    @Test
    void theSameRulesOverKryoWithTypedCalls() {
        CoreClient client = daemon.client();
        SessionRegistered reg = client.call(new RegisterSession("MergeApp", "2.1", PID));
        String id = reg.sessionId();
        StateUpdated a = client.call(new UpdateState(id, Map.of("a", Map.of("b", 1, "c", List.of(1, 2)), "d", true)));
        assertTrue(a.changed());
        Map<String, Object> patch = new HashMap<>();
        patch.put("a", Map.of("c", List.of(3)));
        patch.put("d", null);
        patch.put("e", 2.5);
        client.call(new UpdateState(id, patch));
        Map<String, Object> state = client.call(new GetSession(id)).state();
        assertEquals(Map.of("a", Map.of("b", 1L, "c", List.of(3L)), "e", 2.5), normalizeNumbers(state));
        assertFalse(client.call(new UpdateState(id, Map.of("e", 2.5))).changed());
    }

    /** Numbers come back as the smallest Java type that holds them; compare them as Long/Double. */
    @SuppressWarnings("unchecked")
    static Object normalizeNumbers(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new HashMap<>();
            m.forEach((k, v) -> out.put((String) k, normalizeNumbers(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(SessionStateTest::normalizeNumbers).toList();
        }
        if (o instanceof Integer || o instanceof Short) {
            return ((Number) o).longValue();
        }
        return o;
    }
}
