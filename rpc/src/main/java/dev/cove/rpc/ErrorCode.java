package dev.cove.rpc;

/**
 * Stable error codes. The daemon sends the first group on the wire; the second group is raised by
 * the client library itself and never travels on the wire. Codes are never renamed or reused.
 */
public enum ErrorCode {
    /** The frame is not a JSON object, lacks a field it needs, or came before the hello. */
    BAD_FRAME,
    /** The peer speaks a protocol version this side does not. */
    UNSUPPORTED_VERSION,
    /** No operation is registered under that method string. */
    METHOD_NOT_FOUND,
    /** The payload could not be decoded into the method's input type. */
    DECODE_ERROR,
    /** The payload decoded but its values are not acceptable. */
    INVALID_INPUT,
    /** Something the call names does not exist. */
    NOT_FOUND,
    /** The call conflicts with current state (already exists, busy, ...). */
    CONFLICT,
    /** The handler failed. */
    EXECUTION_ERROR,
    /** The call did not finish within its deadline. */
    TIMEOUT,
    /** The peer is not allowed to talk to this daemon. */
    UNAUTHORIZED,
    /** The frame exceeds the size limit; the connection is closed after this error. */
    FRAME_TOO_LARGE,
    /** The daemon is at a limit (connections, subscriptions) and refuses new work. */
    OVERLOADED,
    /** The daemon is stopping and takes no new work. */
    SHUTTING_DOWN,

    // ---- raised by the client library, never sent by the daemon ----

    /** No daemon answers on the socket (not running, stale socket, no permission). */
    UNAVAILABLE,
    /** The connection broke while the call was in flight; the call may or may not have run. */
    CONNECTION_LOST,
    /** The caller cancelled the call. */
    CANCELLED,
    /**
     * The socket is served by a process of another user: the client refused it before sending anything
     * (details: socket, user, uid).
     */
    UNTRUSTED_SERVER,
    /**
     * The data folder cannot be used: not a folder, not writable, read-only, another user's or a link, or a
     * folder on the way to the socket breaks the path rule (details: folder, fix).
     */
    BAD_DATA_DIR;

    /** Parses a wire code, mapping unknown codes from a newer daemon to EXECUTION_ERROR. */
    public static ErrorCode fromWire(String code) {
        if (code != null) {
            try {
                return valueOf(code);
            } catch (IllegalArgumentException ignored) {
                // a newer daemon may know codes this client does not
            }
        }
        return EXECUTION_ERROR;
    }
}
