package dev.cove.daemon.upstream;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamConfigTest {
    static UpstreamConfig of(Map<String, String> file, Map<String, String> env) {
        return UpstreamConfig.from(UpstreamConfig.merged(file, env), () -> "machine-1", () -> "box");
    }

    @Test
    void offWithoutAnEndpoint() {
        assertNull(of(Map.of(), Map.of("PATH", "/bin", "OTEL_SERVICE_NAME", "x")));
    }

    @Test
    void standardVariablesAndTheFileWithTheEnvironmentWinning() {
        UpstreamConfig c = of(Map.of("otel.exporter.otlp.endpoint", "http://file:4318",
                        "OTEL_RESOURCE_ATTRIBUTES", "host.id=override,team=a%20b", "cove.upstream.interval", "2s"),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318/", "OTEL_EXPORTER_OTLP_HEADERS",
                        "Authorization=Bearer%20k,x-tenant=t1"));
        assertEquals("http://env:4318/v1/metrics", c.metricsEndpoint());
        assertEquals("http://env:4318/v1/logs", c.logsEndpoint());
        assertEquals(Map.of("Authorization", "Bearer k", "x-tenant", "t1"), c.headers());
        assertEquals("override", c.resource().get("host.id"));
        assertEquals("box", c.resource().get("host.name"));
        assertEquals("a b", c.resource().get("team"));
        assertEquals(2000, c.interval().toMillis());
        assertTrue(!c.toString().contains("Bearer"), "headers are secrets: " + c);
    }

    @Test
    void badValuesNameTheKey() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of(),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"))).getMessage().contains("OTEL_EXPORTER_OTLP_ENDPOINT"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of(),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
                .getMessage().contains("http/protobuf"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> of(Map.of("cove.upstream.backlog.max.records", "-1",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), Map.of())).getMessage()
                .contains("cove.upstream.backlog.max.records"));
    }
}
