package dev.cove.rpc.server;

import dev.cove.rpc.Handler;
import dev.cove.rpc.MethodName;
import dev.cove.rpc.codec.Payloads;

/** One registered operation. {@code source} is "built-in" or the plugin jar it came from. */
public record MethodEntry(MethodName name, Class<?> handlerClass, Handler<?, ?> handler, Class<?> inputType,
                          Class<?> outputType, Payloads payloads, String source) {
}
