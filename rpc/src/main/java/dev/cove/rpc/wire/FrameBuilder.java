package dev.cove.rpc.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cove.rpc.codec.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Writes one frame: a JSON object followed by a newline. */
public final class FrameBuilder {
    private static final ObjectMapper MAPPER = Json.MAPPER;
    private final ByteArrayBuilder bytes = new ByteArrayBuilder(256);
    private final JsonGenerator gen;

    private FrameBuilder(String type) {
        try {
            gen = MAPPER.getFactory().createGenerator(bytes);
            gen.writeStartObject();
            gen.writeStringField("type", type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static FrameBuilder of(String type) {
        return new FrameBuilder(type);
    }

    public FrameBuilder field(String name, String value) {
        try {
            if (value == null) {
                gen.writeNullField(name);
            } else {
                gen.writeStringField(name, value);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public FrameBuilder field(String name, long value) {
        try {
            gen.writeNumberField(name, value);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any value Jackson can write: a map, a list, a record, a JsonNode. */
    public FrameBuilder value(String name, Object value) {
        try {
            gen.writeFieldName(name);
            MAPPER.writeValue(gen, value);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JSON that is already encoded (an event payload shared by many subscribers). */
    public FrameBuilder raw(String name, String json) {
        try {
            gen.writeFieldName(name);
            gen.writeRawValue(json);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Kryo payload, as base64 text. */
    public FrameBuilder base64(String name, byte[] value) {
        try {
            gen.writeStringField(name, Base64.getEncoder().encodeToString(value));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] build() {
        try {
            gen.writeEndObject();
            gen.close();
            bytes.write('\n');
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
