package example.kv;

import dev.cove.rpc.Event;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

import java.util.Map;

/** What clients and the daemon agree on: one record per call, its result, and the one event. */
public final class Api {
    private Api() {
    }

    @Method("action:kv.set.input.v1")
    public record Set(String key, String value) implements Request<Changed> {
    }

    @Method("query:kv.get.v1")
    public record Get(String key) implements Request<Entry> {
    }

    @Method("query:kv.list.v1")
    public record ListAll() implements Request<Entries> {
    }

    public record Entry(String key, String value) {
    }

    public record Entries(Map<String, String> entries) {
    }

    /** Published on every set; {@code kv watch} streams these. */
    public record Changed(String key, String value) implements Event {
    }
}
