package dev.cove.api.core;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Every registered operation with its kind and its input and output schemas, and every event type. */
@Method("query:core.methods.v1")
public record ListMethods() implements Request<MethodList> {
}
