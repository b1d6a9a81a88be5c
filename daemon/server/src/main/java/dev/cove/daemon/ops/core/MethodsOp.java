package dev.cove.daemon.ops.core;

import dev.cove.api.core.ListMethods;
import dev.cove.api.core.MethodList;
import dev.cove.daemon.DaemonRuntime;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;
import dev.cove.rpc.codec.JsonSchemas;
import dev.cove.rpc.server.OperationRegistry;

import java.util.LinkedHashMap;
import java.util.Map;

@Query("core.methods")
public final class MethodsOp implements Handler<ListMethods, MethodList> {
    private final DaemonRuntime runtime;
    private volatile MethodList cached;

    public MethodsOp(DaemonRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public MethodList handle(ListMethods input, CallContext context) {
        MethodList m = cached;
        if (m == null) {
            // the registry never changes after start-up, so describing it once is enough
            OperationRegistry registry = runtime.server().registry();
            EventTypes types = runtime.hub().types();
            Map<String, Map<String, Object>> events = new LinkedHashMap<>();
            for (String name : types.names()) {
                events.put(name, JsonSchemas.of(types.type(name)));
            }
            cached = m = new MethodList(registry.describe(), events, registry.fingerprint());
        }
        return m;
    }
}
