package dev.cove.tests.upstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver for tests: a JDK HttpServer on an ephemeral loopback port that decodes
 * {@code /v1/metrics} and {@code /v1/logs} with the official opentelemetry-proto classes. It can be set
 * {@link #down} (answers 503, as a Collector under maintenance does) and requires a bearer header.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One metric as received, with its resource's attributes. */
    record ReceivedMetric(Map<String, String> resource, Metric metric) {
    }

    /** One log record as received, with its resource's attributes. */
    record ReceivedLog(Map<String, String> resource, LogRecord log) {
        String eventName() {
            return log.getEventName();
        }

        String attr(String key) {
            return log.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).findFirst()
                    .map(kv -> OtlpReceiver.text(kv.getValue())).orElse(null);
        }
    }

    private final HttpServer server;
    private final String token;
    final List<ReceivedMetric> metrics = new CopyOnWriteArrayList<>();
    final List<ReceivedLog> logs = new CopyOnWriteArrayList<>();
    final AtomicInteger metricRequests = new AtomicInteger();
    final AtomicInteger logRequests = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger unauthorized = new AtomicInteger();
    private volatile boolean down;

    OtlpReceiver(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/metrics", ex -> handle(ex, true));
        server.createContext("/v1/logs", ex -> handle(ex, false));
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void down(boolean down) {
        this.down = down;
    }

    private void handle(HttpExchange ex, boolean isMetrics) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = "gzip".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(ex.getRequestBody()) : ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.incrementAndGet();
                ex.sendResponseHeaders(401, -1);
                return;
            }
            if (down || !"POST".equals(ex.getRequestMethod())
                    || !"application/x-protobuf".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
                refused.incrementAndGet();
                ex.sendResponseHeaders(down ? 503 : 415, -1);
                return;
            }
            if (isMetrics) {
                ExportMetricsServiceRequest req = ExportMetricsServiceRequest.parseFrom(body);
                for (ResourceMetrics rm : req.getResourceMetricsList()) {
                    Map<String, String> res = attrs(rm.getResource());
                    for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                        for (Metric m : sm.getMetricsList()) {
                            metrics.add(new ReceivedMetric(res, m));
                        }
                    }
                }
                metricRequests.incrementAndGet();
            } else {
                ExportLogsServiceRequest req = ExportLogsServiceRequest.parseFrom(body);
                for (ResourceLogs rl : req.getResourceLogsList()) {
                    Map<String, String> res = attrs(rl.getResource());
                    for (ScopeLogs sl : rl.getScopeLogsList()) {
                        for (LogRecord r : sl.getLogRecordsList()) {
                            logs.add(new ReceivedLog(res, r));
                        }
                    }
                }
                logRequests.incrementAndGet();
            }
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, 0);
            // an empty Export*ServiceResponse: full success
        }
    }

    static Map<String, String> attrs(Resource r) {
        return r.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue()),
                (a, b) -> b, java.util.TreeMap::new));
    }

    static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            default -> v.toString();
        };
    }

    List<ReceivedLog> logs(String sessionId, String eventName) {
        List<ReceivedLog> out = new ArrayList<>();
        for (ReceivedLog l : logs) {
            if (sessionId.equals(l.resource().get("session.id")) && eventName.equals(l.eventName())) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
