package dev.cove.rpc.codec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadsTest {
    record Named(String name, int size) {
        Named {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be empty");
            }
        }
    }

    private final Payloads payloads = new Payloads(1 << 20, List.of(Named.class));

    private static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void decodesJson() throws Exception {
        assertEquals(new Named("a", 3), payloads.read(json("{\"name\":\"a\",\"size\":3}"), Encoding.JSON, Named.class));
    }

    @Test
    void unknownFieldIsDecodeErrorNamingTheField() throws Exception {
        RpcException e = assertThrows(RpcException.class,
                () -> payloads.read(json("{\"name\":\"a\",\"size\":1,\"sise\":3}"), Encoding.JSON, Named.class));
        assertEquals(ErrorCode.DECODE_ERROR, e.code());
        assertTrue(e.getMessage().contains("sise"), e.getMessage());
    }

    @Test
    void missingRequiredNumberSaysWhichField() throws Exception {
        RpcException e = assertThrows(RpcException.class,
                () -> payloads.read(json("{\"name\":\"a\"}"), Encoding.JSON, Named.class));
        assertEquals(ErrorCode.DECODE_ERROR, e.code());
        assertEquals("missing value at 'size': a int is required", e.getMessage());
    }

    @Test
    void wrongTypeIsDecodeError() throws Exception {
        RpcException e = assertThrows(RpcException.class,
                () -> payloads.read(json("{\"name\":\"a\",\"size\":\"big\"}"), Encoding.JSON, Named.class));
        assertEquals(ErrorCode.DECODE_ERROR, e.code());
        assertTrue(e.getMessage().contains("size"), e.getMessage());
    }

    @Test
    void recordValidationIsInvalidInputInBothEncodings() throws Exception {
        RpcException e = assertThrows(RpcException.class,
                () -> payloads.read(json("{\"name\":\" \",\"size\":1}"), Encoding.JSON, Named.class));
        assertEquals(ErrorCode.INVALID_INPUT, e.code());
        assertEquals("name must not be empty", e.getMessage());
    }

    @Test
    void badBase64IsDecodeError() throws Exception {
        RpcException e = assertThrows(RpcException.class,
                () -> payloads.read(json("\"@@not base64@@\""), Encoding.KRYO, Named.class));
        assertEquals(ErrorCode.DECODE_ERROR, e.code());
    }

    @Test
    void deepNestingIsRefusedByTheParser() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThrows(Exception.class, () -> Json.MAPPER.readTree(deep));
    }
}
