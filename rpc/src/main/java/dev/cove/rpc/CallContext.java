package dev.cove.rpc;

import java.time.Instant;

/** What a handler knows about the call it serves. */
public interface CallContext {
    /** The wire method, e.g. {@code query:core.ping.v1}. */
    String method();

    /** The connected client that made the call. */
    PeerInfo peer();

    /** True once the caller cancelled the call, its deadline passed or the daemon is stopping. */
    boolean isCancelled();

    /** When the caller stops waiting, or {@link Instant#MAX} if it set no timeout. */
    Instant deadline();

    /**
     * Sends part of the answer now, ahead of the result: a {@code progress} frame with this call's id and
     * {@code part} as its JSON payload. It returns once the frame is written, so a client slow to read slows
     * the handler, never the daemon's memory. Throws when the connection is gone or the caller stopped waiting.
     * Clients that do not expect parts skip them.
     */
    default void progress(Object part) throws java.io.IOException {
        throw new UnsupportedOperationException("this call cannot send parts of its answer");
    }
}
