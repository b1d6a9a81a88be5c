package dev.cove.rpc;

import java.util.Map;

/**
 * How {@code core.methods} describes one registered operation. Schemas are JSON Schema objects; see
 * {@link dev.cove.rpc.codec.JsonSchemas}.
 */
public record MethodInfo(String method, Kind kind, String name, int version, String inputType,
                         Map<String, Object> inputSchema, String outputType, Map<String, Object> outputSchema,
                         String handler, String source, String kryoSchema) {
}
