package dev.cove.rpc.host;

import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

/** The built-in {@link Ping}. */
@Query("core.ping")
public final class PingOp implements Handler<Ping, Ping.Pong> {
    private final DaemonHost host;

    public PingOp(DaemonHost host) {
        this.host = host;
    }

    @Override
    public Ping.Pong handle(Ping input, CallContext context) {
        return new Ping.Pong(host.app().name(), host.version(), host.paths().instance(), ProcessHandle.current().pid());
    }
}
