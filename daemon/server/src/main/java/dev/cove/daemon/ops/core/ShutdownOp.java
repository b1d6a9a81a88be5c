package dev.cove.daemon.ops.core;

import dev.cove.api.core.Shutdown;
import dev.cove.api.core.ShutdownAccepted;
import dev.cove.daemon.DaemonRuntime;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Action("core.shutdown")
public final class ShutdownOp implements Handler<Shutdown, ShutdownAccepted> {
    private static final Logger log = LoggerFactory.getLogger(ShutdownOp.class);
    private final DaemonRuntime runtime;

    public ShutdownOp(DaemonRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public ShutdownAccepted handle(Shutdown input, CallContext context) {
        String who = context.peer() == null ? "a client" : context.peer().name() + " (pid " + context.peer().pid() + ")";
        String reason = "requested by " + who + (input.reason() == null ? "" : ": " + input.reason());
        log.info("shutdown {}", reason);
        // the stop runs on the main thread and waits for running calls, this one included, so it answers first
        runtime.requestStop(reason);
        return new ShutdownAccepted("Daemon shutdown requested", ProcessHandle.current().pid());
    }
}
