package dev.cove.tests.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.sessions.EndSession;
import dev.cove.api.sessions.Heartbeat;
import dev.cove.api.sessions.LogMetrics;
import dev.cove.api.sessions.Metric;
import dev.cove.api.sessions.QueryMetrics;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.Report;
import dev.cove.api.sessions.Session;
import dev.cove.api.sessions.Sessions;
import dev.cove.api.sessions.UpdateState;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.RawClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a stable code and a message that says what to do, over JSON and over typed calls. */
class SessionBadInputTest {
    @TempDir
    static Path tmp;
    static DaemonProcess daemon;
    static CoreClient client;
    static String id;
    static final long PID = ProcessHandle.current().pid();

    @BeforeAll
    static void start() {
        daemon = DaemonProcess.start(tmp.resolve("data"), "sbad");
        client = daemon.client();
        id = client.call(new RegisterSession("BadApp", "1", PID, null, 0L, null)).sessionId();
        client.call(new LogMetrics(id, new Metric("fps", 60)));
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static JsonNode error(JsonNode frame, ErrorCode code, String... fragments) {
        assertEquals("error", frame.path("type").asText(), () -> "expected an error, got " + frame);
        JsonNode e = frame.path("error");
        assertEquals(code.name(), e.path("code").asText(), e::toString);
        for (String f : fragments) {
            assertTrue(e.path("message").asText().contains(f), () -> "message '" + e.path("message").asText()
                    + "' should mention '" + f + "'");
        }
        return e;
    }

    private static void rpcError(ErrorCode code, Executable call, String... fragments) {
        RpcException e = assertThrows(RpcException.class, call);
        assertEquals(code, e.code(), e::toString);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    private static JsonNode json(String text) throws Exception {
        return RawClient.JSON.readTree(text);
    }

    @Test
    void unknownSessionsAreNotFound() throws Exception {
        rpcError(ErrorCode.NOT_FOUND, () -> client.call(new Heartbeat("s-nosuchthing")), "no session 's-nosuchthing'",
                "cove sessions list");
        try (RawClient raw = daemon.raw()) {
            error(raw.call(1, "action:sessions.state.update.input.v1", json("""
                    {"sessionId":"s-nope","patch":{"a":1}}""")), ErrorCode.NOT_FOUND, "no session 's-nope'");
            error(raw.call(2, "query:sessions.get.v1", json("{\"sessionId\":\"s-nope\"}")), ErrorCode.NOT_FOUND);
            error(raw.call(3, "action:sessions.heartbeat.input.v1", json("{}")), ErrorCode.INVALID_INPUT,
                    "sessionId is required");
        }
    }

    @Test
    void wrongTypesAreDecodeErrorsNamingTheField() throws Exception {
        try (RawClient raw = daemon.raw()) {
            error(raw.call(1, "action:sessions.register.input.v1", json("""
                    {"app":"X","pid":"not-a-number"}""")), ErrorCode.DECODE_ERROR, "pid");
            error(raw.call(2, "action:sessions.state.update.input.v1", json("""
                    {"sessionId":"%s","patch":"oops"}""".formatted(id))), ErrorCode.DECODE_ERROR, "patch");
            error(raw.call(3, "action:sessions.metric.log.input.v1", json("""
                    {"sessionId":"%s","metrics":[{"name":"fps","value":"fast"}]}""".formatted(id))),
                    ErrorCode.DECODE_ERROR, "value");
            error(raw.call(5, "action:sessions.register.input.v1", json("""
                    {"app":"X","pid":%d,"hangWindowMillis":5}""".formatted(PID))), ErrorCode.INVALID_INPUT,
                    "hangWindowMillis must be 0 (no hang detection) or between 100 ms and 7 days, got 5");
            error(raw.call(4, "action:sessions.event.log.input.v1", json("""
                    {"sessionId":"%s","name":"x","colour":"red"}""".formatted(id))), ErrorCode.DECODE_ERROR,
                    "unknown field 'colour'");
        }
    }

    @Test
    void aMetricWithoutANameIsInvalidInput() throws Exception {
        try (RawClient raw = daemon.raw()) {
            error(raw.call(1, "action:sessions.metric.log.input.v1", json("""
                    {"sessionId":"%s","metrics":[{"value":1.5}]}""".formatted(id))), ErrorCode.INVALID_INPUT,
                    "a metric needs a name");
            error(raw.call(2, "action:sessions.metric.log.input.v1", json("""
                    {"sessionId":"%s","metrics":[{"name":"fps"}]}""".formatted(id))), ErrorCode.INVALID_INPUT,
                    "metric 'fps' has no value");
            error(raw.call(3, "action:sessions.metric.log.input.v1", json("""
                    {"sessionId":"%s"}""".formatted(id))), ErrorCode.INVALID_INPUT, "no metrics given");
            error(raw.call(4, "action:sessions.metric.log.input.v1", json("""
                    {"sessionId":"%s","batches":[{"name":"x","times":[1,2],"values":[1]}]}""".formatted(id))),
                    ErrorCode.INVALID_INPUT, "2 times but 1 values");
            error(raw.call(5, "action:sessions.metric.log.input.v1", json("""
                    {"sessionId":"%s","metrics":[{"name":"x","value":1,"time":"1970-01-02T00:00:00Z"}]}"""
                    .formatted(id))), ErrorCode.INVALID_INPUT, "wrong unit");
        }
        // the typed contract refuses it before anything is sent
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Metric(null, 1.0));
        assertTrue(e.getMessage().contains("a metric needs a name"), e.getMessage());
        try (Session s = Sessions.of(client).start("BadApp", "1")) {
            var nan = assertThrows(IllegalArgumentException.class, () -> s.metric("fps", Double.NaN));
            assertTrue(nan.getMessage().contains("finite"), nan.getMessage());
            var blank = assertThrows(IllegalArgumentException.class, () -> s.metric(" ", 1));
            assertTrue(blank.getMessage().contains("metric name is required"), blank.getMessage());
            var state = assertThrows(IllegalArgumentException.class,
                    () -> s.state(Map.of("file", new java.io.File("/tmp"))));
            assertTrue(state.getMessage().contains("state.file") && state.getMessage().contains("java.io.File"),
                    state.getMessage());
        }
    }

    @Test
    void otherRefusalsSayWhatToDo() {
        Process gone = SessionTesting.sleeper();
        SessionTesting.kill9(gone);
        rpcError(ErrorCode.INVALID_INPUT, () -> client.call(new RegisterSession("X", "1", gone.pid())),
                "process " + gone.pid() + " is not running");
        var window = assertThrows(IllegalArgumentException.class, () -> new RegisterSession("X", "1", PID, null, 5L, null));
        assertTrue(window.getMessage().contains("between 100 ms and 7 days"), window.getMessage());
        rpcError(ErrorCode.NOT_FOUND, () -> client.call(new QueryMetrics(id, "nope")), "no metric 'nope'", "fps");
        rpcError(ErrorCode.INVALID_INPUT, () -> client.call(new QueryMetrics(id, "fps", null,
                java.time.Instant.now().minusSeconds(86_400), java.time.Instant.now(), 1L, null)),
                "10000");
        rpcError(ErrorCode.INVALID_INPUT, () -> client.call(new UpdateState(id,
                Map.of("big", "x".repeat(1_100_000)))), "1 MiB");

        String ended = client.call(new RegisterSession("X", "1", PID, null, 0L, null)).sessionId();
        client.call(new EndSession(ended, 3, "done"));
        assertEquals(3, client.call(new EndSession(ended, 3, "retry")).exitStatus(), "ending twice is harmless");
        rpcError(ErrorCode.CONFLICT, () -> client.call(new Report(ended, null, true, null, null, null, null)),
                "ended", "exit status 3", "register a new session");
    }
}
