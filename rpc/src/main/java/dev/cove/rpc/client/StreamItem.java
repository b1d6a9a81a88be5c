package dev.cove.rpc.client;

/** What a subscription yields: an event, a report of missed events, or its end. */
public sealed interface StreamItem {
    /**
     * An event. {@code event} is the typed record when the client knows the type, otherwise a
     * Jackson {@code JsonNode}.
     */
    record Delivered(long seq, String type, Object event) implements StreamItem {
    }

    /**
     * Events were dropped because this subscriber fell behind: {@code missed} of them, ending at
     * sequence number {@code seq}. {@code local} is true when this client's own buffer overflowed
     * rather than the daemon's.
     */
    record Lagged(long missed, long seq, boolean local) implements StreamItem {
    }

    /** The stream is over: unsubscribed, the daemon stopped, or the connection was lost. */
    record Ended(String reason) implements StreamItem {
    }
}
