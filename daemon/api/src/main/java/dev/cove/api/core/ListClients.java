package dev.cove.api.core;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Connected clients: who they are (name, pid, user) and since when. */
@Method("query:core.clients.v1")
public record ListClients() implements Request<ClientList> {
}
