package dev.cove.rpc.server;

import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.PeerInfo;

/**
 * Told when clients come and go (after their hello, so their name and pid are known), and when calls
 * end. Kept free of any metrics library so that the RPC layer stays small; the daemon counts here.
 */
public interface ServerListener {
    default void connected(PeerInfo peer) {
    }

    default void disconnected(PeerInfo peer) {
    }

    /**
     * A call to a registered method ended. Runs on the call's thread after the answer was sent, once per
     * call: keep it cheap and non-blocking.
     *
     * @param method   the registered method name ({@code query:core.ping.v1}); never an unknown client string
     * @param error    the error code it answered with, null on success (and for cancelled calls, which get no answer)
     * @param nanos    time from the frame being read to the handler returning
     */
    default void callEnded(String method, ErrorCode error, long nanos) {
    }
}
