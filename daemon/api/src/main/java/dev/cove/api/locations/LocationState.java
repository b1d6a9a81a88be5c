package dev.cove.api.locations;

/** Whether a location can be read right now. */
public enum LocationState {
    /** Being indexed (first scan or rescan). */
    INDEXING,
    /** Indexed and watched. */
    ONLINE,
    /** Its folder is gone or unreadable; the index is kept until it comes back or is removed. */
    OFFLINE
}
