package dev.cove.tests.support.plugin;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** A slow call: the handler sleeps this long before answering. */
@Method("query:test.sleep.v1")
public record Sleep(long millis) implements Request<Slept> {
}
