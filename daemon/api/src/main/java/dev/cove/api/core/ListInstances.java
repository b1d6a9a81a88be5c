package dev.cove.api.core;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Every instance found under the data folder, with its state. */
@Method("query:core.instances.v1")
public record ListInstances() implements Request<InstanceList> {
}
