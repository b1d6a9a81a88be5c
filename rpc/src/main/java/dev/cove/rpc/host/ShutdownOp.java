package dev.cove.rpc.host;

import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** The built-in {@link Shutdown}. */
@Action("core.shutdown")
public final class ShutdownOp implements Handler<Shutdown, Shutdown.Accepted> {
    private final DaemonHost host;

    public ShutdownOp(DaemonHost host) {
        this.host = host;
    }

    @Override
    public Shutdown.Accepted handle(Shutdown input, CallContext context) {
        String who = context.peer() == null ? "a client" : context.peer().name() + " (pid " + context.peer().pid() + ")";
        // the stop waits for running calls, this one included, so the client gets its answer first
        host.requestStop("requested by " + who + (input.reason() == null ? "" : ": " + input.reason()));
        return new Shutdown.Accepted(ProcessHandle.current().pid());
    }
}
