package dev.cove.rpc.host;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/**
 * Asks the daemon to stop gracefully: served by every {@link DaemonHost}. The answer comes before the stop;
 * the daemon then finishes running calls, ends subscriptions, deletes its socket and releases its lock.
 */
@Method("action:core.shutdown.input.v1")
public record Shutdown(String reason) implements Request<Shutdown.Accepted> {
    public record Accepted(long pid) {
    }
}
