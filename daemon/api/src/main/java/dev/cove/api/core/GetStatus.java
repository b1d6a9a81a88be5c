package dev.cove.api.core;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** The daemon's identity, uptime, paths, load and memory. */
@Method("query:core.status.v1")
public record GetStatus() implements Request<DaemonStatus> {
}
