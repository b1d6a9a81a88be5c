package dev.cove.tests.support.plugin;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/**
 * Publishes {@code count} LogMessage events with the given target straight onto the daemon's bus,
 * {@code batch} at a time with {@code pauseMicros} between batches (0: as fast as possible).
 */
@Method("action:test.burst.input.v1")
public record Burst(int count, int batch, long pauseMicros, String target) implements Request<BurstDone> {
}
