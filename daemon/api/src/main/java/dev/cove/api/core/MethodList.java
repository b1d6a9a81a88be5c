package dev.cove.api.core;

import dev.cove.rpc.MethodInfo;

import java.util.List;
import java.util.Map;

/**
 * @param events  event type name to the JSON Schema of its payload
 * @param registry fingerprint of all Kryo schemas; equal registries exchange Kryo payloads safely
 */
public record MethodList(List<MethodInfo> methods, Map<String, Map<String, Object>> events, String registry) {
}
