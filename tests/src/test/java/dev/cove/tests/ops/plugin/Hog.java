package dev.cove.tests.ops.plugin;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Makes the daemon keep {@code megabytes} MiB reachable (a leak on purpose), then collect garbage. */
@Method("action:ops.hog.input.v1")
public record Hog(int megabytes) implements Request<Hogged> {
}
