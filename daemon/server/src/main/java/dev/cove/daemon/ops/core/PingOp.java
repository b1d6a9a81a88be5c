package dev.cove.daemon.ops.core;

import dev.cove.api.Cove;
import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.daemon.DaemonRuntime;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

import java.time.Instant;

@Query("core.ping")
public final class PingOp implements Handler<Ping, Pong> {
    private final DaemonRuntime runtime;

    public PingOp(DaemonRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Pong handle(Ping input, CallContext context) {
        return new Pong(Cove.VERSION, runtime.paths().instance(), ProcessHandle.current().pid(), Instant.now());
    }
}
