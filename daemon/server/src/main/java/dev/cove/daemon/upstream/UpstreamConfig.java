package dev.cove.daemon.upstream;

import dev.cove.api.Durations;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * How sessions are forwarded upstream, read the way every OpenTelemetry user expects: the standard
 * {@code OTEL_*} environment variables, and the same keys in Cove's config file ({@code --config FILE} or
 * {@code COVE_CONFIG}), a Java properties file. A key may be written either way:
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code otel.exporter.otlp.endpoint}. The environment wins over
 * the file. Forwarding is off unless an endpoint is set.
 *
 * <p>Read by hand rather than with the SDK's autoconfigure module: that module builds whole tracer,
 * meter and logger providers (which Cove does not use: it exports what sessions.db holds, see
 * {@link Forwarder}) and would load the SDK on every daemon start, also with forwarding off.
 *
 * @param endpoint        base URL; {@code /v1/metrics} and {@code /v1/logs} are appended (as the spec says)
 * @param metricsEndpoint full URL for metrics ({@code OTEL_EXPORTER_OTLP_METRICS_ENDPOINT} or endpoint + /v1/metrics)
 * @param logsEndpoint    full URL for logs
 * @param resource        extra resource attributes ({@code OTEL_RESOURCE_ATTRIBUTES}), host.id / host.name filled in
 * @param serviceName     {@code OTEL_SERVICE_NAME}: when set, it names every session's service (the app stays in
 *                        {@code cove.app}); when null, a session's app is its service.name
 */
public record UpstreamConfig(String endpoint, String metricsEndpoint, String logsEndpoint, Map<String, String> headers,
                             Duration timeout, String compression, Map<String, String> resource, String serviceName,
                             Duration interval, Duration retryMax, int batchPoints, int batchLogRecords,
                             long maxRecords, long maxBytes, Duration maxAge) {

    public static final long DEFAULT_MAX_RECORDS = 10_000_000;
    public static final long DEFAULT_MAX_BYTES = 512L << 20;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);

    public UpstreamConfig {
        headers = Map.copyOf(headers);
        resource = Map.copyOf(resource);
    }

    /** Keys of the config file and the environment, normalised: lower case, '_' and '-' read as '.'. */
    static String normal(String key) {
        return key.strip().toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
    }

    /** Reads a config file (Java properties); a missing or unreadable file is an error, not silence. */
    public static Map<String, String> readFile(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        if (file == null) {
            return out;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the config file " + file + ": " + e.getMessage());
        }
        p.stringPropertyNames().forEach(k -> out.put(normal(k), p.getProperty(k).strip()));
        return out;
    }

    /** The settings in force: {@code file} keys, then the environment over them. */
    public static Map<String, String> merged(Map<String, String> file, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        file.forEach((k, v) -> out.put(normal(k), v));
        env.forEach((k, v) -> {
            String n = normal(k);
            if (n.startsWith("otel.") || n.startsWith("cove.upstream.")) {
                out.put(n, v.strip());
            }
        });
        return out;
    }

    /**
     * Forwarding's settings, or null when no endpoint is set (forwarding off).
     *
     * @param hostId   the machine's id (OTEL_RESOURCE_ATTRIBUTES' host.id wins over it)
     * @param hostName the machine's name (likewise)
     * @throws IllegalArgumentException with the key and what it needs, for a bad value
     */
    public static UpstreamConfig from(Map<String, String> settings, java.util.function.Supplier<String> hostId,
                                      java.util.function.Supplier<String> hostName) {
        String endpoint = get(settings, "otel.exporter.otlp.endpoint");
        String metrics = get(settings, "otel.exporter.otlp.metrics.endpoint");
        String logs = get(settings, "otel.exporter.otlp.logs.endpoint");
        if (endpoint == null && metrics == null && logs == null) {
            return null;
        }
        String protocol = get(settings, "otel.exporter.otlp.protocol");
        if (protocol != null && !protocol.equals("http/protobuf")) {
            throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_PROTOCOL=" + protocol + " is not supported: Cove "
                    + "sends OTLP/HTTP with protobuf (http/protobuf); point it at the Collector's HTTP port (4318)");
        }
        for (String k : new String[]{"otel.metrics.exporter", "otel.logs.exporter"}) {
            String v = get(settings, k);
            if ("none".equals(v)) {
                throw new IllegalArgumentException(k.toUpperCase(Locale.ROOT).replace('.', '_') + "=none: Cove "
                        + "forwards metrics and logs together; unset the endpoint to turn forwarding off");
            }
        }
        if (endpoint != null) {
            endpoint = url("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
        }
        String base = endpoint == null ? null : endpoint.endsWith("/") ? endpoint : endpoint + "/";
        metrics = metrics != null ? url("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", metrics)
                : base != null ? base + "v1/metrics" : null;
        logs = logs != null ? url("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", logs) : base != null ? base + "v1/logs" : null;
        if (metrics == null || logs == null) {
            throw new IllegalArgumentException("set OTEL_EXPORTER_OTLP_ENDPOINT (or both the _METRICS_ and the _LOGS_ "
                    + "endpoint): Cove sends metrics and logs");
        }
        Map<String, String> headers = pairs("OTEL_EXPORTER_OTLP_HEADERS", get(settings, "otel.exporter.otlp.headers"));
        Map<String, String> resource = new LinkedHashMap<>();
        resource.put("host.id", hostId.get());
        resource.put("host.name", hostName.get());
        resource.putAll(pairs("OTEL_RESOURCE_ATTRIBUTES", get(settings, "otel.resource.attributes")));
        String timeoutMs = get(settings, "otel.exporter.otlp.timeout");
        Duration timeout = timeoutMs == null ? Duration.ofSeconds(10)
                : Duration.ofMillis(positive("OTEL_EXPORTER_OTLP_TIMEOUT", timeoutMs));
        String compression = get(settings, "otel.exporter.otlp.compression");
        if (compression != null && !compression.equals("gzip") && !compression.equals("none")) {
            throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_COMPRESSION must be gzip or none, got '"
                    + compression + "'");
        }
        return new UpstreamConfig(endpoint == null ? metrics : endpoint, metrics, logs, headers, timeout,
                compression == null ? "none" : compression, resource, get(settings, "otel.service.name"),
                duration(settings, "cove.upstream.interval", Duration.ofSeconds(5)),
                duration(settings, "cove.upstream.retry.max", Duration.ofSeconds(30)),
                (int) number(settings, "cove.upstream.batch.points", 20_000),
                (int) number(settings, "cove.upstream.batch.log.records", 2_000),
                number(settings, "cove.upstream.backlog.max.records", DEFAULT_MAX_RECORDS),
                number(settings, "cove.upstream.backlog.max.bytes", DEFAULT_MAX_BYTES),
                duration(settings, "cove.upstream.backlog.max.age", DEFAULT_MAX_AGE));
    }

    private static String get(Map<String, String> s, String key) {
        String v = s.get(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static String url(String key, String v) {
        try {
            URI u = URI.create(v);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return v;
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException(key + " needs an http:// or https:// URL such as http://localhost:4318, got '"
                + v + "'");
    }

    /** {@code k1=v1,k2=v2} with percent-encoded values (the W3C Baggage form the spec uses). */
    static Map<String, String> pairs(String key, String v) {
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        for (String part : v.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(key + " needs key=value pairs separated by commas, got '" + part.strip()
                        + "'");
            }
            out.put(part.substring(0, eq).strip(),
                    URLDecoder.decode(part.substring(eq + 1).strip(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static long positive(String key, String v) {
        try {
            long n = Long.parseLong(v.replace("_", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException(key + " needs a whole number above 0, got '" + v + "'");
    }

    private static long number(Map<String, String> s, String key, long def) {
        String v = get(s, key);
        return v == null ? def : positive(key, v);
    }

    private static Duration duration(Map<String, String> s, String key, Duration def) {
        String v = get(s, key);
        if (v == null) {
            return def;
        }
        Duration d = Durations.parse(key, v);
        if (d.isZero()) {
            throw new IllegalArgumentException(key + " must be above 0, got '" + v + "'");
        }
        return d;
    }

    /** Headers are secrets (API keys): shown only by name. */
    @Override
    public String toString() {
        return "UpstreamConfig[metrics=" + metricsEndpoint + ", logs=" + logsEndpoint + ", headers=" + headers.keySet()
                + ", resource=" + resource + "]";
    }
}
