package dev.cove.api.core;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Is the daemon there? The cheapest call. */
@Method("query:core.ping.v1")
public record Ping() implements Request<Pong> {
}
