package dev.cove.rpc.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The one Jackson configuration shared by frames and JSON payloads. */
public final class Json {
    /** Deeper JSON than this is refused as a bad frame, so hostile nesting cannot exhaust the stack. */
    public static final int MAX_NESTING = 200;

    public static final ObjectMapper MAPPER = create(64 * 1024 * 1024);

    /**
     * Reads whole frames: one level more than {@link #MAX_NESTING}, the frame's own object, so that a payload
     * nested exactly {@link #MAX_NESTING} levels reaches its method (and gets its answer there) like any other.
     */
    public static final ObjectMapper FRAMES = create(64 * 1024 * 1024, MAX_NESTING + 1);

    private Json() {
    }

    public static ObjectMapper create(int maxStringLength) {
        return create(maxStringLength, MAX_NESTING);
    }

    private static ObjectMapper create(int maxStringLength, int maxNesting) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNesting)
                        .maxStringLength(maxStringLength)
                        .maxNumberLength(100)
                        .build())
                .build();
        return JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // people type "gauge" and "warn" by hand; the wire writes enums in upper case
                .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .build();
    }
}
