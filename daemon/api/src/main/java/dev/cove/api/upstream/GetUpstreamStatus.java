package dev.cove.api.upstream;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Where forwarding sessions to an OpenTelemetry (OTLP) endpoint stands: endpoint, state, backlog, errors. */
@Method("query:upstream.status.v1")
public record GetUpstreamStatus() implements Request<UpstreamStatus> {
}
