package dev.cove.api.sessions;

/** Where a session is in its life. */
public enum SessionStatus {
    /** Registered and heartbeating (or not yet due). */
    ACTIVE,
    /** Still running as far as the daemon can tell, but silent for longer than its hang window. */
    HUNG,
    /** The application said goodbye with {@code sessions.end}. */
    ENDED,
    /** The application's process is gone and it never called {@code sessions.end}. */
    CRASHED;

    /** True while the application is (supposed to be) running: ACTIVE or HUNG. */
    public boolean isLive() {
        return this == ACTIVE || this == HUNG;
    }
}
