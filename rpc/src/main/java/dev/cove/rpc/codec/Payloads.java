package dev.cove.rpc.codec;

import com.esotericsoftware.kryo.KryoException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.wire.FrameBuilder;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Encodes and decodes the payloads of one method (its input and output types) or one event type,
 * in either encoding. The Kryo side is built on first use, so JSON-only clients never pay for it.
 */
public final class Payloads {
    private final List<Class<?>> roots;
    private final int maxBytes;
    private volatile KryoCodec kryo;

    public Payloads(int maxBytes, List<Class<?>> roots) {
        this.roots = List.copyOf(roots);
        this.maxBytes = maxBytes;
    }

    public KryoCodec kryo() {
        KryoCodec k = kryo;
        if (k == null) {
            synchronized (this) {
                k = kryo;
                if (k == null) {
                    kryo = k = new KryoCodec(TypeGraph.of(roots), maxBytes);
                }
            }
        }
        return k;
    }

    /** The Kryo schema fingerprint both sides must share to exchange Kryo payloads. */
    public String fingerprint() {
        return kryo().fingerprint();
    }

    public void write(FrameBuilder frame, String field, Object value, Encoding encoding) {
        if (encoding == Encoding.KRYO) {
            frame.base64(field, kryo().encode(value));
        } else {
            frame.value(field, value);
        }
    }

    /**
     * Decodes a payload field. An absent JSON payload counts as {@code {}} so that calls without
     * input can be typed by hand as {"id":1,"type":"query","method":"query:core.ping.v1"}.
     *
     * @throws RpcException DECODE_ERROR when the bytes or JSON do not fit the type, INVALID_INPUT
     *                      when they fit but the record refuses the values
     */
    public <T> T read(JsonNode node, Encoding encoding, Class<T> type) {
        if (encoding == Encoding.KRYO) {
            if (node == null || !node.isTextual()) {
                throw new RpcException(ErrorCode.DECODE_ERROR, "a kryo payload must be a base64 string");
            }
            return readKryo(node.textValue(), type);
        }
        JsonNode json = node == null || node instanceof NullNode ? ObjectNode_EMPTY : node;
        try {
            return Json.MAPPER.treeToValue(json, type);
        } catch (JsonProcessingException e) {
            throw jsonError(e, type);
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.DECODE_ERROR, firstLine(e.getMessage()));
        }
    }

    /**
     * Decodes the payload at the parser's current token, straight from the frame's bytes (no tree):
     * the fast path for answers and events. Same errors as {@link #read(JsonNode, Encoding, Class)}.
     */
    public <T> T read(JsonParser parser, Encoding encoding, Class<T> type) throws java.io.IOException {
        if (encoding == Encoding.KRYO) {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                throw new RpcException(ErrorCode.DECODE_ERROR, "a kryo payload must be a base64 string");
            }
            byte[] bytes;
            try {
                // decoded straight from the parser's buffer (the standard alphabet, as Base64.getEncoder writes)
                bytes = parser.getBinaryValue(com.fasterxml.jackson.core.Base64Variants.MIME_NO_LINEFEEDS);
            } catch (JsonProcessingException e) {
                throw new RpcException(ErrorCode.DECODE_ERROR, "kryo payload is not valid base64: "
                        + firstLine(e.getOriginalMessage()));
            }
            return decodeKryo(bytes, type);
        }
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return read((JsonNode) null, encoding, type);
        }
        try {
            return Json.MAPPER.readValue(parser, type);
        } catch (JsonProcessingException e) {
            throw jsonError(e, type);
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.DECODE_ERROR, firstLine(e.getMessage()));
        }
    }

    private static RpcException jsonError(JsonProcessingException e, Class<?> type) {
        if (e instanceof ValueInstantiationException) {
            IllegalArgumentException invalid = findInvalid(e);
            return new RpcException(ErrorCode.INVALID_INPUT,
                    invalid != null ? invalid.getMessage() : firstLine(e.getOriginalMessage()));
        }
        return new RpcException(ErrorCode.DECODE_ERROR, describe(e, type));
    }

    private <T> T readKryo(String base64, Class<T> type) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new RpcException(ErrorCode.DECODE_ERROR, "kryo payload is not valid base64: " + e.getMessage());
        }
        return decodeKryo(bytes, type);
    }

    private <T> T decodeKryo(byte[] bytes, Class<T> type) {
        try {
            return kryo().decode(bytes, type);
        } catch (KryoException | IndexOutOfBoundsException | ClassCastException e) {
            IllegalArgumentException invalid = findInvalid(e);
            if (invalid != null) {
                throw new RpcException(ErrorCode.INVALID_INPUT, invalid.getMessage());
            }
            throw new RpcException(ErrorCode.DECODE_ERROR, "kryo payload does not decode as "
                    + type.getSimpleName() + ": " + firstLine(e.getMessage()));
        } catch (IllegalArgumentException e) {
            // Kryo's own refusals (e.g. "Class is not registered" for a class named on the wire); a record's
            // refusal of its values arrives wrapped in a KryoException and is handled above
            throw new RpcException(ErrorCode.DECODE_ERROR, "kryo payload does not decode as "
                    + type.getSimpleName() + ": " + firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            // decoding runs no handler code: whatever else fails here (a date out of range, an array size the
            // guards missed) is the bytes' fault, not the call's
            throw new RpcException(ErrorCode.DECODE_ERROR, "kryo payload does not decode as "
                    + type.getSimpleName() + ": " + e);
        }
    }

    private static final JsonNode ObjectNode_EMPTY = new ObjectNode(Json.MAPPER.getNodeFactory());

    private static String describe(JsonProcessingException e, Class<?> type) {
        String where = "";
        if (e instanceof MismatchedInputException mie && !mie.getPath().isEmpty()) {
            where = " at '" + mie.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")) + "'";
        }
        if (e instanceof UnrecognizedPropertyException upe) {
            return "unknown field '" + upe.getPropertyName() + "' for " + type.getSimpleName()
                    + "; known fields: " + upe.getKnownPropertyIds();
        }
        if (e instanceof InvalidFormatException ife) {
            return "value " + ife.getValue() + where + " is not a valid " + ife.getTargetType().getSimpleName();
        }
        if (e instanceof MismatchedInputException mie && mie.getTargetType() != null
                && mie.getTargetType().isPrimitive() && String.valueOf(e.getOriginalMessage()).contains("null")) {
            return "missing value" + where + ": a " + mie.getTargetType().getSimpleName() + " is required";
        }
        if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            return "payload" + where + " does not fit " + mie.getTargetType().getSimpleName() + ": "
                    + firstLine(e.getOriginalMessage());
        }
        return "payload does not decode as " + type.getSimpleName() + where + ": " + firstLine(e.getOriginalMessage());
    }

    private static IllegalArgumentException findInvalid(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IllegalArgumentException iae && !(c instanceof NumberFormatException)) {
                return iae;
            }
        }
        return null;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Turns details into a plain map for error frames. */
    public static Map<String, Object> details(Map<String, Object> d) {
        return d == null ? Map.of() : d;
    }
}
