package dev.cove.cli;

import dev.cove.rpc.RpcException;

/** The exit statuses of {@code cove}, listed in {@code cove --help}. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The daemon reported an error (any daemon error code), or the command failed locally. */
    public static final int ERROR = 1;
    /** The command line is wrong: unknown option, missing argument, malformed JSON payload. */
    public static final int USAGE = 2;
    /** No daemon runs for the instance, or it cannot be reached. */
    public static final int UNAVAILABLE = 3;
    /** The daemon did not answer in time. */
    public static final int TIMEOUT = 4;
    /** A daemon was started but failed before it answered. */
    public static final int START_FAILED = 5;
    /**
     * The data folder cannot be used (not a folder, not writable, read-only, another user's, a link), or the
     * socket is served by another user.
     */
    public static final int UNSAFE = 6;
    /** {@code cove start} with settings a running daemon does not have: {@code cove restart} applies them. */
    public static final int SETTINGS_DIFFER = 7;

    private ExitCodes() {
    }

    /** The exit status for an error from the daemon or the client library. */
    public static int of(RpcException e) {
        Object reason = e.details().get("reason");
        return switch (e.code()) {
            case UNAVAILABLE -> "start_failed".equals(reason) || "start_timeout".equals(reason) ? START_FAILED : UNAVAILABLE;
            case CONNECTION_LOST -> UNAVAILABLE;
            case TIMEOUT -> TIMEOUT;
            case UNTRUSTED_SERVER, BAD_DATA_DIR -> UNSAFE;
            default -> ERROR;
        };
    }
}
