package dev.cove.daemon.upstream;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cove.api.Cove;
import dev.cove.api.events.SessionEvent;
import dev.cove.daemon.sessions.SessionFeed;
import dev.cove.rpc.codec.Json;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.Data;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.GaugeData;
import io.opentelemetry.sdk.metrics.data.HistogramData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.resources.Resource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sends stored session records with the OpenTelemetry SDK's OTLP/HTTP exporters (protobuf, the JDK
 * {@code HttpClient} sender). Only this class touches the SDK, and only a configured forwarder creates
 * it: with forwarding off no SDK class is loaded.
 *
 * <p>Cove builds the {@link MetricData} and {@link LogRecordData} itself from what {@code sessions.db}
 * holds instead of recording into SDK meters and loggers: a provider has one resource, but each
 * session is a resource of its own (service.name = its app, session.id, …); instruments aggregate in
 * memory, so what a crash or kill loses could not be told apart from what was sent; and a batch built
 * from rows behind a cursor can be resent exactly when the upstream did not acknowledge it. The
 * exporters still do the wire format, headers, compression and timeouts, as every OTLP user knows them.
 */
final class OtlpSink implements UpstreamSink {
    /** The SDK's default explicit bucket bounds (milliseconds suit timers, the common case). */
    static final List<Double> BOUNDS = List.of(0d, 5d, 10d, 25d, 50d, 75d, 100d, 250d, 500d, 750d, 1000d, 2500d,
            5000d, 7500d, 10000d);
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };
    private static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder("dev.cove.sessions")
            .setVersion(Cove.VERSION).build();

    private final UpstreamConfig config;
    private final OtlpHttpMetricExporter metrics;
    private final OtlpHttpLogRecordExporter logs;
    private final Map<String, Resource> resources = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Resource> e) {
            return size() > 4096;
        }
    };

    OtlpSink(UpstreamConfig config) {
        this.config = config;
        Map<String, String> headers = config.headers();
        this.metrics = OtlpHttpMetricExporter.builder().setEndpoint(config.metricsEndpoint())
                .setHeaders(() -> headers).setTimeout(config.timeout()).setCompression(config.compression())
                .setRetryPolicy(null) // the forwarder retries, from its cursor, and reports each failure
                .setMeterProvider(MeterProvider::noop).build();
        this.logs = OtlpHttpLogRecordExporter.builder().setEndpoint(config.logsEndpoint())
                .setHeaders(() -> headers).setTimeout(config.timeout()).setCompression(config.compression())
                .setRetryPolicy(null).setMeterProvider(MeterProvider::noop).build();
    }

    @Override
    public void sendMetrics(List<SessionFeed.ChunkRecord> chunks, Function<String, SessionFeed.SessionRef> sessions)
            throws SendException {
        List<MetricData> out = new ArrayList<>(chunks.size());
        for (SessionFeed.ChunkRecord ch : chunks) {
            out.add(metric(resource(ch.sessionId(), sessions), ch));
        }
        await(metrics.export(out), "metrics");
    }

    @Override
    public void sendLogs(List<SessionFeed.EventRecord> events, List<SessionFeed.StateRecord> states,
                         Function<String, SessionFeed.SessionRef> sessions) throws SendException {
        List<LogRecordData> out = new ArrayList<>(events.size() + states.size());
        long observed = System.currentTimeMillis() * 1_000_000L;
        for (SessionFeed.EventRecord e : events) {
            Attributes attrs = Attributes.builder().put("event.name", e.name()).put("cove.event.id", e.id())
                    .put("cove.event.origin", e.origin().toLowerCase(java.util.Locale.ROOT)).build();
            out.add(new Log(resource(e.sessionId(), sessions), e.timeMs() * 1_000_000L, observed, severity(e.level()),
                    e.level(), value(parse(e.data())), attrs, e.name()));
        }
        for (SessionFeed.StateRecord s : states) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("patch", parse(s.patch()));
            body.put("stateVersion", s.version());
            Attributes attrs = Attributes.builder().put("event.name", SessionEvent.STATE_CHANGED)
                    .put("cove.state.version", s.version()).put("cove.state.change.id", s.id()).build();
            out.add(new Log(resource(s.sessionId(), sessions), s.timeMs() * 1_000_000L, observed, Severity.DEBUG,
                    "DEBUG", value(body), attrs, SessionEvent.STATE_CHANGED));
        }
        await(logs.export(out), "logs");
    }

    private void await(CompletableResultCode r, String what) throws SendException {
        String url = what.equals("metrics") ? config.metricsEndpoint() : config.logsEndpoint();
        r.join(config.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        if (!r.isDone()) {
            throw new SendException("sending " + what + " to " + url + ": no answer within "
                    + config.timeout().toMillis() + " ms", null);
        }
        if (!r.isSuccess()) {
            Throwable t = r.getFailureThrowable();
            throw new SendException("sending " + what + " failed: " + reason(t, url, config.timeout()), t);
        }
    }

    /**
     * The exporter's failure as one sentence a person can act on: the SDK and the JDK's HttpClient wrap a refused
     * connection three times over ({@code ConnectException: ConnectException: ConnectException:
     * ClosedChannelException}), so the chain is read for what happened (refused, unknown host, timed out, TLS, an
     * HTTP status) instead of printed.
     */
    static String reason(Throwable t, String url, java.time.Duration timeout) {
        if (t == null) {
            return "the exporter gave no reason (see the daemon log)";
        }
        String origin = origin(url);
        HttpResponse response = null;
        Throwable connect = null;
        Throwable last = t;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            response = response == null ? response(c) : response;
            if (c instanceof java.net.UnknownHostException || c instanceof java.nio.channels.UnresolvedAddressException) {
                return "cannot resolve the host of " + origin + " (unknown host" + detail(c, origin) + ")";
            }
            if (c instanceof java.net.http.HttpConnectTimeoutException) {
                return "cannot connect to " + origin + " (no answer within " + timeout.toMillis() + " ms)";
            }
            if (c instanceof java.net.http.HttpTimeoutException || c instanceof java.net.SocketTimeoutException) {
                return "no answer from " + url + " within " + timeout.toMillis() + " ms";
            }
            if (c instanceof javax.net.ssl.SSLException) {
                return "TLS with " + origin + " failed (" + message(c) + ")";
            }
            if (c instanceof java.net.ConnectException && connect == null) {
                connect = c;
            }
            last = c;
        }
        if (response != null) {
            byte[] body = response.getResponseBody();
            StringBuilder sb = new StringBuilder(url).append(" answered HTTP ").append(response.getStatusCode());
            if (response.getStatusMessage() != null && !response.getStatusMessage().isBlank()) {
                sb.append(' ').append(response.getStatusMessage().strip());
            }
            if (body != null && body.length > 0 && body.length < 512) {
                sb.append(" (").append(new String(body, java.nio.charset.StandardCharsets.UTF_8).strip()).append(')');
            }
            return sb.toString();
        }
        if (connect != null) {
            // the JDK's HttpClient reports a refused connect as ConnectException caused by ClosedChannelException
            String m = deepestMessage(connect);
            boolean refused = m == null || m.toLowerCase(java.util.Locale.ROOT).contains("refused")
                    || last instanceof java.nio.channels.ClosedChannelException;
            return "cannot connect to " + origin + " (" + (refused ? "connection refused" : m) + ")";
        }
        String m = deepestMessage(t);
        return m != null ? m : last.getClass().getSimpleName();
    }

    /** {@code scheme://host:port} of a URL, as a person configured it ({@code OTEL_EXPORTER_OTLP_ENDPOINT}). */
    private static String origin(String url) {
        try {
            java.net.URI u = java.net.URI.create(url);
            if (u.getScheme() != null && u.getRawAuthority() != null) {
                return u.getScheme() + "://" + u.getRawAuthority();
            }
        } catch (IllegalArgumentException ignored) {
            // shown whole
        }
        return url;
    }

    private static String detail(Throwable c, String origin) {
        String m = c.getMessage();
        return m == null || m.isBlank() || origin.contains(m) ? "" : ": " + m.strip();
    }

    private static String message(Throwable c) {
        return c.getMessage() == null || c.getMessage().isBlank() ? c.getClass().getSimpleName() : c.getMessage().strip();
    }

    /** The message of the innermost cause that has one that is not just another exception's name. */
    private static String deepestMessage(Throwable t) {
        String found = null;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.isBlank() && !m.matches("[\\w.$]+(Exception|Error)(: .*)?")) {
                found = m.strip();
            }
        }
        return found;
    }

    /**
     * The HTTP answer inside the exporter's failure. Its exception type is internal to the SDK
     * ({@code FailedExportException.HttpExportException}); the response it carries is public API.
     */
    private static HttpResponse response(Throwable t) {
        try {
            Object r = t.getClass().getMethod("getResponse").invoke(t);
            return r instanceof HttpResponse h ? h : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private Resource resource(String sessionId, Function<String, SessionFeed.SessionRef> sessions) {
        synchronized (resources) {
            Resource r = resources.get(sessionId);
            if (r != null) {
                return r;
            }
        }
        SessionFeed.SessionRef s = sessions.apply(sessionId);
        AttributesBuilder b = Attributes.builder();
        config.resource().forEach(b::put);
        String app = s == null ? "unknown" : s.app();
        b.put("service.name", config.serviceName() != null ? config.serviceName() : app);
        b.put("cove.app", app);
        if (s != null && s.version() != null) {
            b.put("service.version", s.version());
        }
        b.put("session.id", sessionId);
        if (s != null) {
            s.tags().forEach((k, v) -> b.put("cove.session.tag." + k, v));
        }
        Resource r = Resource.create(b.build());
        synchronized (resources) {
            resources.put(sessionId, r);
        }
        return r;
    }

    static MetricData metric(Resource resource, SessionFeed.ChunkRecord ch) {
        Attributes attrs = attributes(ch.tags());
        String unit = ch.unit() == null ? "" : ch.unit();
        long[] t = ch.times();
        double[] v = ch.values();
        return switch (ch.kind()) {
            case GAUGE -> {
                List<DoublePointData> pts = new ArrayList<>(t.length);
                for (int i = 0; i < t.length; i++) {
                    pts.add(DoublePointData.create(0, t[i] * 1_000_000L, attrs, v[i], List.of()));
                }
                yield new Metric(resource, ch.name(), unit, MetricDataType.DOUBLE_GAUGE, GaugeData.createDoubleGaugeData(pts));
            }
            case COUNTER -> {
                // each point is an increment the app reported at that instant: a delta sum of its own
                List<DoublePointData> pts = new ArrayList<>(t.length);
                for (int i = 0; i < t.length; i++) {
                    pts.add(DoublePointData.create(t[i] * 1_000_000L, t[i] * 1_000_000L, attrs, v[i], List.of()));
                }
                yield new Metric(resource, ch.name(), unit, MetricDataType.DOUBLE_SUM,
                        SumData.createDoubleSumData(true, AggregationTemporality.DELTA, pts));
            }
            case TIMER, HISTOGRAM -> {
                // the chunk's points as one delta histogram over [first, last]: exact count, sum, min, max
                long[] counts = new long[BOUNDS.size() + 1];
                double sum = 0;
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (int i = 0; i < t.length; i++) {
                    counts[bucket(v[i])]++;
                    sum += v[i];
                    min = Math.min(min, v[i]);
                    max = Math.max(max, v[i]);
                    first = Math.min(first, t[i]);
                    last = Math.max(last, t[i]);
                }
                List<Long> countList = Arrays.stream(counts).boxed().toList();
                HistogramPointData p = HistogramPointData.create(first * 1_000_000L, last * 1_000_000L, attrs, sum,
                        true, min, true, max, BOUNDS, countList);
                yield new Metric(resource, ch.name(), unit, MetricDataType.HISTOGRAM,
                        HistogramData.create(AggregationTemporality.DELTA, List.of(p)));
            }
        };
    }

    /** Explicit-bucket index: bucket i holds (bounds[i-1], bounds[i]], the last one what is above all bounds. */
    static int bucket(double v) {
        for (int i = 0; i < BOUNDS.size(); i++) {
            if (v <= BOUNDS.get(i)) {
                return i;
            }
        }
        return BOUNDS.size();
    }

    private static Attributes attributes(Map<String, String> tags) {
        if (tags.isEmpty()) {
            return Attributes.empty();
        }
        AttributesBuilder b = Attributes.builder();
        tags.forEach(b::put);
        return b.build();
    }

    private static Severity severity(String level) {
        return switch (level) {
            case "TRACE" -> Severity.TRACE;
            case "DEBUG" -> Severity.DEBUG;
            case "WARN" -> Severity.WARN;
            case "ERROR" -> Severity.ERROR;
            default -> Severity.INFO;
        };
    }

    private static Object parse(String json) {
        try {
            return json == null ? Map.of() : Json.MAPPER.readValue(json, MAP);
        } catch (java.io.IOException e) {
            return json; // stored JSON that does not parse is sent as the text it is
        }
    }

    /** A JSON value as an OTLP AnyValue. */
    @SuppressWarnings("unchecked")
    static Value<?> value(Object o) {
        if (o == null) {
            return Value.empty();
        }
        if (o instanceof String s) {
            return Value.of(s);
        }
        if (o instanceof Boolean b) {
            return Value.of(b);
        }
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof java.math.BigInteger) {
            return Value.of(((Number) o).longValue());
        }
        if (o instanceof Number n) {
            return Value.of(n.doubleValue());
        }
        if (o instanceof Map<?, ?> m) {
            List<KeyValue> kvs = new ArrayList<>(m.size());
            ((Map<String, Object>) m).forEach((k, v) -> kvs.add(KeyValue.of(k, value(v))));
            return Value.of(kvs.toArray(KeyValue[]::new));
        }
        if (o instanceof List<?> l) {
            List<Value<?>> vs = new ArrayList<>(l.size());
            l.forEach(x -> vs.add(value(x)));
            return Value.of(vs);
        }
        return Value.of(o.toString());
    }

    @Override
    public void close() {
        metrics.shutdown().join(2, TimeUnit.SECONDS);
        logs.shutdown().join(2, TimeUnit.SECONDS);
    }

    /** One metric of one session's chunk; implements the SDK's interface so its exporter can marshal it. */
    private record Metric(Resource resource, String name, String unit, MetricDataType type, Data<?> data)
            implements MetricData {
        @Override
        public Resource getResource() {
            return resource;
        }

        @Override
        public InstrumentationScopeInfo getInstrumentationScopeInfo() {
            return SCOPE;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getDescription() {
            return "";
        }

        @Override
        public String getUnit() {
            return unit;
        }

        @Override
        public MetricDataType getType() {
            return type;
        }

        @Override
        public Data<?> getData() {
            return data;
        }
    }

    /** One session event or state change as an OTLP log record (event.name set as field and attribute). */
    private record Log(Resource resource, long timeNanos, long observedNanos, Severity severity, String severityText,
                       Value<?> body, Attributes attributes, String eventName) implements LogRecordData {
        @Override
        public Resource getResource() {
            return resource;
        }

        @Override
        public InstrumentationScopeInfo getInstrumentationScopeInfo() {
            return SCOPE;
        }

        @Override
        public long getTimestampEpochNanos() {
            return timeNanos;
        }

        @Override
        public long getObservedTimestampEpochNanos() {
            return observedNanos;
        }

        @Override
        public SpanContext getSpanContext() {
            return SpanContext.getInvalid();
        }

        @Override
        public Severity getSeverity() {
            return severity;
        }

        @Override
        public String getSeverityText() {
            return severityText;
        }

        @Override
        @SuppressWarnings("deprecation")
        public Body getBody() {
            return Body.string(body.asString());
        }

        @Override
        public Value<?> getBodyValue() {
            return body;
        }

        @Override
        public Attributes getAttributes() {
            return attributes;
        }

        @Override
        public int getTotalAttributeCount() {
            return attributes.size();
        }

        @Override
        public String getEventName() {
            return eventName;
        }
    }
}
