package dev.cove.rpc.host;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Whether the daemon answers, and which one: served by every {@link DaemonHost}. */
@Method("query:core.ping.v1")
public record Ping() implements Request<Ping.Pong> {
    /** {@code server} and {@code version} as the daemon gave them to its host; {@code pid} is the daemon's. */
    public record Pong(String server, String version, String instance, long pid) {
    }
}
