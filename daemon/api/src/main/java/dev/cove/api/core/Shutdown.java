package dev.cove.api.core;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

/**
 * Stops the daemon gracefully after answering: running calls finish (within the grace period),
 * subscribers get an end frame, the socket is removed and the lock released.
 */
@Method("action:core.shutdown.input.v1")
public record Shutdown(@Nullable String reason) implements Request<ShutdownAccepted> {
}
