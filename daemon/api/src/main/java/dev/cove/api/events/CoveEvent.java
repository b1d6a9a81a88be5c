package dev.cove.api.events;

import dev.cove.rpc.Event;

/** Every event Cove publishes. Subscribers name these by their simple class name. */
public sealed interface CoveEvent extends Event permits LogMessage, ClientConnected, ClientDisconnected,
        LibraryChanged, LocationChanged, FilesChanged, JobUpdate, SessionEvent {
}
