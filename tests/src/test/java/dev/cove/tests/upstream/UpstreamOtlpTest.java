package dev.cove.tests.upstream;

import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.AppEvent;
import dev.cove.api.sessions.Heartbeat;
import dev.cove.api.sessions.Metric;
import dev.cove.api.sessions.MetricKind;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.Report;
import dev.cove.api.upstream.GetUpstreamStatus;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.Reaper;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric.DataCase;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OTLP wire conformance: a real daemon forwards sessions to an OTLP/HTTP receiver in this test, which
 * decodes them with the official opentelemetry-proto classes.
 */
class UpstreamOtlpTest {
    static final long PID = ProcessHandle.current().pid();
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String TOKEN = "t0k3n-for-tests";

    @TempDir
    Path tmp;

    /** A config file with the standard OTEL_* keys pointing at {@code receiver}, plus {@code extra} lines. */
    static Path config(Path dir, OtlpReceiver receiver, String hostId, String... extra) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("OTEL_EXPORTER_OTLP_ENDPOINT=").append(receiver.endpoint()).append('\n');
        sb.append("OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20").append(TOKEN).append('\n');
        sb.append("OTEL_RESOURCE_ATTRIBUTES=host.id=").append(hostId).append(",deployment.environment.name=test\n");
        for (String e : extra) {
            sb.append(e).append('\n');
        }
        Files.createDirectories(dir);
        Path f = dir.resolve("cove-" + hostId + ".properties");
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void sessionsArriveAsOtlpMetricsAndLogRecordsWithTheirResource() throws Exception {
        try (OtlpReceiver rx = new OtlpReceiver(TOKEN);
             DaemonProcess d = DaemonProcess.start(tmp.resolve("data"), "otlp1", "--config",
                     config(tmp, rx, "test-host-1", "cove.upstream.interval=200ms").toString())) {
            CoreClient c = d.client();
            String a = c.call(new RegisterSession("ShopApp", "2.1", PID, Map.of("region", "eu"), 0L, null)).sessionId();
            Instant t0 = Instant.now().minusSeconds(5);
            c.call(new Report(a, 1L, true, Map.of("screen", "home"),
                    List.of(new AppEvent("checkout", null, Map.of("items", 3), null)),
                    List.of(new Metric("fps", 60.0, MetricKind.GAUGE, "1", null, t0),
                            new Metric("fps", 59.5, MetricKind.GAUGE, "1", null, t0.plusMillis(10)),
                            new Metric("requests", 1.0, MetricKind.COUNTER, null, Map.of("route", "/cart"), t0),
                            new Metric("requests", 2.0, MetricKind.COUNTER, null, Map.of("route", "/cart"), t0.plusMillis(1)),
                            new Metric("requests", 3.0, MetricKind.COUNTER, null, Map.of("route", "/cart"), t0.plusMillis(2)),
                            new Metric("frame_time", 4.0, MetricKind.TIMER, "ms", null, t0),
                            new Metric("frame_time", 12.0, MetricKind.TIMER, "ms", null, t0.plusMillis(20)),
                            new Metric("frame_time", 700.0, MetricKind.TIMER, "ms", null, t0.plusMillis(40))), null));
            // a session that hangs and recovers
            String h = c.call(new RegisterSession("ShopApp", "2.1", PID, null, 300L, null)).sessionId();
            Await.until(WAIT, () -> !rx.logs(h, SessionEvent.APPLICATION_APPEARS_HUNG).isEmpty(), "hung log record");
            c.call(new Heartbeat(h));
            // a session whose process dies
            Process app = new ProcessBuilder("sleep", "120").start();
            Reaper.register(app.toHandle());
            String k = c.call(new RegisterSession("ShopApp", "2.0", app.pid(), null, 0L, null)).sessionId();
            app.destroyForcibly().waitFor();
            Await.until(WAIT, () -> !rx.logs(h, SessionEvent.APPLICATION_RECOVERED).isEmpty()
                    && !rx.logs(k, SessionEvent.PARENT_PROCESS_CRASHED).isEmpty()
                    && !rx.logs(a, "checkout").isEmpty() && !rx.logs(a, SessionEvent.STATE_CHANGED).isEmpty()
                    && names(rx, a).containsAll(List.of("fps", "requests", "frame_time")), () -> "all records; got logs "
                    + rx.logs.stream().map(OtlpReceiver.ReceivedLog::eventName).toList() + ", metrics " + names(rx, a));

            // resource: the session's app, version and id, the host, and OTEL_RESOURCE_ATTRIBUTES
            Map<String, String> res = rx.logs(a, "checkout").get(0).resource();
            assertEquals("ShopApp", res.get("service.name"));
            assertEquals("2.1", res.get("service.version"));
            assertEquals(a, res.get("session.id"));
            assertEquals("test-host-1", res.get("host.id"));
            assertFalse(res.getOrDefault("host.name", "").isBlank(), res.toString());
            assertEquals("test", res.get("deployment.environment.name"));
            assertEquals("eu", res.get("cove.session.tag.region"));
            assertEquals("2.0", rx.logs(k, SessionEvent.PARENT_PROCESS_CRASHED).get(0).resource().get("service.version"));

            // metrics of the right kinds and values
            var fps = metric(rx, a, "fps");
            assertEquals(DataCase.GAUGE, fps.getDataCase());
            assertEquals("1", fps.getUnit());
            List<NumberDataPoint> fpsPoints = fps.getGauge().getDataPointsList();
            assertEquals(List.of(60.0, 59.5), fpsPoints.stream().map(NumberDataPoint::getAsDouble).toList());
            assertEquals(t0.toEpochMilli() * 1_000_000L, fpsPoints.get(0).getTimeUnixNano());

            var req = metric(rx, a, "requests");
            assertEquals(DataCase.SUM, req.getDataCase());
            assertTrue(req.getSum().getIsMonotonic());
            assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, req.getSum().getAggregationTemporality());
            assertEquals(6.0, req.getSum().getDataPointsList().stream().mapToDouble(NumberDataPoint::getAsDouble).sum());
            KeyValue route = req.getSum().getDataPoints(0).getAttributes(0);
            assertEquals("route", route.getKey());
            assertEquals("/cart", route.getValue().getStringValue());

            var ft = metric(rx, a, "frame_time");
            assertEquals(DataCase.HISTOGRAM, ft.getDataCase());
            assertEquals("ms", ft.getUnit());
            HistogramDataPoint hp = ft.getHistogram().getDataPoints(0);
            assertEquals(3, hp.getCount());
            assertEquals(716.0, hp.getSum());
            assertEquals(4.0, hp.getMin());
            assertEquals(700.0, hp.getMax());
            assertEquals(hp.getExplicitBoundsCount() + 1, hp.getBucketCountsCount());
            assertEquals(3, hp.getBucketCountsList().stream().mapToLong(Long::longValue).sum());
            assertEquals(1, hp.getBucketCounts(1), "4 ms in (0, 5]");
            assertEquals(1, hp.getBucketCounts(3), "12 ms in (10, 25]");
            assertEquals(1, hp.getBucketCounts(9), "700 ms in (500, 750]");

            // log records: event.name, severity, body
            var hung = rx.logs(h, SessionEvent.APPLICATION_APPEARS_HUNG).get(0);
            assertEquals(SeverityNumber.SEVERITY_NUMBER_WARN, hung.log().getSeverityNumber());
            assertEquals(SessionEvent.APPLICATION_APPEARS_HUNG, hung.attr("event.name"));
            assertEquals("daemon", hung.attr("cove.event.origin"));
            assertEquals(SeverityNumber.SEVERITY_NUMBER_INFO,
                    rx.logs(h, SessionEvent.APPLICATION_RECOVERED).get(0).log().getSeverityNumber());
            var crash = rx.logs(k, SessionEvent.PARENT_PROCESS_CRASHED).get(0);
            assertEquals(SeverityNumber.SEVERITY_NUMBER_ERROR, crash.log().getSeverityNumber());
            assertEquals(Long.toString(app.pid()), field(crash.log().getBody(), "pid"));
            assertEquals("3", field(rx.logs(a, "checkout").get(0).log().getBody(), "items"));
            var state = rx.logs(a, SessionEvent.STATE_CHANGED).get(0);
            AnyValue patch = state.log().getBody().getKvlistValue().getValuesList().stream()
                    .filter(kv -> kv.getKey().equals("patch")).findFirst().orElseThrow().getValue();
            assertEquals("home", field(patch, "screen"));

            // the status says it is caught up
            Await.until(WAIT, () -> c.call(new GetUpstreamStatus()).backlogRecords() == 0, "backlog 0");
            UpstreamStatus s = c.call(new GetUpstreamStatus());
            assertEquals(rx.endpoint(), s.endpoint());
            assertEquals("test-host-1", s.hostId());
            assertEquals(8, s.sentPoints());
            assertNotNull(s.lastSuccess());
            assertNull(s.oldestAgeMillis());
            assertEquals(0, s.droppedRecords());
            assertEquals(0, rx.unauthorized.get(), "every request carried OTEL_EXPORTER_OTLP_HEADERS");
        }
    }

    @Test
    void aCrashIsSentAtOnceNotAtTheNextInterval() throws Exception {
        try (OtlpReceiver rx = new OtlpReceiver(TOKEN);
             DaemonProcess d = DaemonProcess.start(tmp.resolve("data"), "otlp2", "--config",
                     config(tmp, rx, "test-host-2", "cove.upstream.interval=1h").toString())) {
            CoreClient c = d.client();
            Process app = new ProcessBuilder("sleep", "120").start();
            Reaper.register(app.toHandle());
            String k = c.call(new RegisterSession("CrashApp", "1", app.pid(), null, 0L, null)).sessionId();
            Await.until(WAIT, () -> !rx.logs(k, SessionEvent.SESSION_REGISTERED).isEmpty(), "registration sent");
            long killed = System.nanoTime();
            app.destroyForcibly().waitFor();
            Await.until(WAIT, () -> !rx.logs(k, SessionEvent.PARENT_PROCESS_CRASHED).isEmpty(), "crash sent");
            long ms = (System.nanoTime() - killed) / 1_000_000;
            assertTrue(ms < 20_000, "the crash took " + ms + " ms with a 1 h interval");
            System.out.println("[upstream] crash forwarded " + ms + " ms after the process died (interval 1 h)");
        }
    }

    @Test
    void aRejectedRequestIsShownWithItsCauseAndNothingIsLost() throws Exception {
        try (OtlpReceiver rx = new OtlpReceiver("another-token");
             DaemonProcess d = DaemonProcess.start(tmp.resolve("data"), "otlp3", "--config",
                     config(tmp, rx, "test-host-3", "cove.upstream.interval=200ms",
                             "cove.upstream.retry.max=300ms").toString())) {
            CoreClient c = d.client();
            c.call(new RegisterSession("AuthApp", "1", PID, null, 0L, null));
            Await.until(WAIT, () -> c.call(new GetUpstreamStatus()).failedRequests() >= 2, "failed attempts");
            UpstreamStatus s = c.call(new GetUpstreamStatus());
            assertEquals(UpstreamStatus.FAILING, s.state());
            assertTrue(s.lastError().contains(rx.endpoint()) && s.lastError().contains("answered HTTP 401"), s.lastError());
            assertFalse(s.lastError().contains("Exception"), s.lastError());
            assertEquals(1, s.backlogRecords(), "the registration waits: " + s);
            assertNotNull(s.oldestAgeMillis());
            assertTrue(rx.logs.isEmpty());
            assertTrue(d.log().contains("upstream:") && d.log().contains("401"), "the failure is logged");
        }
    }

    /**
     * What went wrong, in one sentence: a refused connection read "ConnectException: ConnectException:
     * ConnectException: ClosedChannelException" (issue 19); an unknown host and an HTTP status likewise.
     */
    @Test
    void anUnreachableUpstreamIsDescribedInOneSentence() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // closed again below: nothing listens there
        }
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("http://127.0.0.1:" + port, "cannot connect to http://127.0.0.1:" + port + " (connection refused)");
        expected.put("http://no-such-host.invalid:4318", "cannot resolve the host of http://no-such-host.invalid:4318");
        int n = 0;
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path file = tmp.resolve("unreachable-" + n + ".properties");
            Files.writeString(file, "OTEL_EXPORTER_OTLP_ENDPOINT=" + e.getKey() + "\ncove.upstream.interval=200ms\n"
                    + "cove.upstream.retry.max=300ms\n");
            try (DaemonProcess d = DaemonProcess.start(tmp.resolve("data"), "unreachable" + n++, "--config",
                    file.toString())) {
                CoreClient c = d.client();
                c.call(new RegisterSession("LonelyApp", "1", PID, null, 0L, null));
                Await.until(WAIT, () -> c.call(new GetUpstreamStatus()).failedRequests() >= 1, "a failed attempt");
                String error = c.call(new GetUpstreamStatus()).lastError();
                assertTrue(error.contains(e.getValue()), error);
                assertFalse(error.contains("Exception"), error);
            }
        }
    }

    static List<String> names(OtlpReceiver rx, String sessionId) {
        return rx.metrics.stream().filter(m -> sessionId.equals(m.resource().get("session.id")))
                .map(m -> m.metric().getName()).distinct().collect(Collectors.toList());
    }

    static io.opentelemetry.proto.metrics.v1.Metric metric(OtlpReceiver rx, String sessionId, String name) {
        return rx.metrics.stream().filter(m -> sessionId.equals(m.resource().get("session.id"))
                && m.metric().getName().equals(name)).findFirst().orElseThrow().metric();
    }

    static String field(AnyValue body, String key) {
        return body.getKvlistValue().getValuesList().stream().filter(kv -> kv.getKey().equals(key)).findFirst()
                .map(kv -> OtlpReceiver.text(kv.getValue())).orElse(null);
    }
}
