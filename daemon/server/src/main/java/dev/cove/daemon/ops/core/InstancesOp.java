package dev.cove.daemon.ops.core;

import dev.cove.api.core.InstanceList;
import dev.cove.api.core.ListInstances;
import dev.cove.daemon.DaemonRuntime;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;
import dev.cove.rpc.instance.InstanceScanner;

@Query("core.instances")
public final class InstancesOp implements Handler<ListInstances, InstanceList> {
    private final DaemonRuntime runtime;

    public InstancesOp(DaemonRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public InstanceList handle(ListInstances input, CallContext context) {
        return new InstanceList(runtime.paths().dataDir().toString(), InstanceScanner.scan(runtime.paths().dataDir()));
    }
}
