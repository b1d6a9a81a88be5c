package dev.cove.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.client.EventStream;

import java.util.List;
import java.util.Map;

/** What the generated schema needs from the daemon: generic calls and subscriptions, JSON in and out. */
interface Daemon {
    /** Calls {@code method} with a JSON payload; throws {@link dev.cove.rpc.RpcException} with the daemon's code. */
    JsonNode call(String method, JsonNode payload);

    /** Subscribes to event types with the daemon's filter (field name to value); events arrive as JSON trees. */
    EventStream subscribe(List<String> eventTypes, Map<String, String> filter);

    /**
     * The instance's default library as the CLI keeps it ({@code cove library use}), read at each call so that a
     * change made with the CLI applies at once; null when none is set.
     */
    default String defaultLibrary() {
        return null;
    }
}
