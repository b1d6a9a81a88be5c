package dev.cove.rpc.wire;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FrameIdsTest {
    static JsonNode find(String frame) {
        byte[] b = frame.getBytes(StandardCharsets.UTF_8);
        return FrameIds.find(b, 0, b.length);
    }

    @Test
    void findsTheTopLevelIdWhereverItIs() {
        assertEquals(7, find("{\"id\":7,\"type\":\"query\"}").asLong());
        assertEquals("a\"b", find("{\"type\":\"query\", \"id\" : \"a\\\"b\"}").asText());
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals(9, find("{\"payload\":" + deep + ",\"id\":9}").asLong(), "after a deep payload");
        assertNull(find("{\"payload\":" + "[".repeat(1_000_000) + ",\"id\":9}"),
                "an id inside the unclosed payload is not the frame's");
    }

    @Test
    void ignoresIdsThatAreNotTheFramesOwn() {
        assertNull(find("{\"payload\":{\"id\":5},\"type\":\"query\"}"), "an id nested in the payload");
        assertNull(find("{\"type\":\"id\",\"x\":\"\\\"id\\\":3\"}"), "\"id\" as a value or inside a string");
        assertNull(find("[{\"id\":1}]"), "not an object");
        assertNull(find("{\"id\":[1]}"), "not a number or a string");
        assertNull(find("{\"id\":1.5}"), "not an integer");
        assertNull(find("{\"id\":123456789012345678901234567890}"), "beyond 64 bits");
    }

    @Test
    void readsAPrefixUpToTheCut() {
        assertEquals("big", find("{\"id\":\"big\",\"type\":\"query\",\"payload\":{\"text\":\"xxxxxxxx").asText());
        assertNull(find("{\"type\":\"query\",\"id\":12"), "a number cut off may be longer");
        assertNull(find("{\"id\":\"unfinished"), "a string cut off");
    }

    @Test
    void theLastIdWinsAsWithTheParser() {
        assertEquals(2, find("{\"id\":1,\"id\":2}").asLong());
    }
}
