package dev.cove.rpc;

/**
 * An event published on the daemon's bus and streamed to subscribers. Implementations are records;
 * the event's type name on the wire is the record's simple name.
 */
public interface Event {
    /**
     * Whether this event passes a subscription's filter. The default compares each filter key with
     * the record component of the same name and ignores keys the event does not carry, so a
     * {@code libraryId} filter narrows library events without hiding log lines.
     */
    default boolean matches(EventFilter filter) {
        return filter.matchesComponents(this);
    }
}
