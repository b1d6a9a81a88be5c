package dev.cove.rpc.codec;

import dev.cove.rpc.Nullable;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonSchemasTest {
    enum Kind { A, B }

    record Item(String name, @Nullable Long size, Kind kind, Instant at, List<String> tags, Map<String, Integer> counts) { }

    @Test
    @SuppressWarnings("unchecked")
    void describesRecordsWithRequiredAndNullableComponents() {
        Map<String, Object> s = JsonSchemas.of(Item.class);
        assertEquals("object", s.get("type"));
        assertEquals("Item", s.get("x-java-type"));
        assertEquals(List.of("name", "kind", "at", "tags", "counts"), s.get("required"));
        Map<String, Object> props = (Map<String, Object>) s.get("properties");
        assertEquals(Map.of("type", "string"), props.get("name"));
        assertEquals("int64", ((Map<String, Object>) props.get("size")).get("format"));
        assertEquals(List.of("A", "B"), ((Map<String, Object>) props.get("kind")).get("enum"));
        assertEquals("date-time", ((Map<String, Object>) props.get("at")).get("format"));
        assertEquals("array", ((Map<String, Object>) props.get("tags")).get("type"));
        assertEquals(Map.of("type", "integer", "format", "int32"),
                ((Map<String, Object>) props.get("counts")).get("additionalProperties"));
    }

    record Page(String library, @dev.cove.rpc.Default("50") int limit, @dev.cove.rpc.Default("true") boolean ascending) { }

    @Test
    @SuppressWarnings("unchecked")
    void aDefaultIsPublishedAndMakesTheComponentOptional() {
        Map<String, Object> s = JsonSchemas.of(Page.class);
        assertEquals(List.of("library"), s.get("required"));
        Map<String, Object> props = (Map<String, Object>) s.get("properties");
        assertEquals(50, ((Map<String, Object>) props.get("limit")).get("default"));
        assertEquals("int32", ((Map<String, Object>) props.get("limit")).get("format"));
        assertEquals(true, ((Map<String, Object>) props.get("ascending")).get("default"));
    }
}
