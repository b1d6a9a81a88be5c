package dev.cove.daemon.ops.core;

import dev.cove.api.core.ClientList;
import dev.cove.api.core.ListClients;
import dev.cove.daemon.DaemonRuntime;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

@Query("core.clients")
public final class ClientsOp implements Handler<ListClients, ClientList> {
    private final DaemonRuntime runtime;

    public ClientsOp(DaemonRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public ClientList handle(ListClients input, CallContext context) {
        return new ClientList(runtime.server().clients());
    }
}
