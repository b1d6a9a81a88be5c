package dev.cove.api.events;

/** Who produced a {@link SessionEvent}. */
public enum EventOrigin {
    /** The application logged it. */
    APP,
    /** The daemon: registration, end, hang, recovery, crash, state changes. */
    DAEMON
}
