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
}
