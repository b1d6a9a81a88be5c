package dev.cove.daemon.ops.upstream;

import dev.cove.api.upstream.GetUpstreamStatus;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.daemon.upstream.Upstream;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

/** Forwarding's endpoint, state, backlog (records, bytes, oldest age), drops, last success and last error. */
@Query("upstream.status")
public final class UpstreamStatusOp implements Handler<GetUpstreamStatus, UpstreamStatus> {
    private final Upstream upstream;

    public UpstreamStatusOp(Upstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public UpstreamStatus handle(GetUpstreamStatus input, CallContext context) {
        return upstream.status();
    }
}
