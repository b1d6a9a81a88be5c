package dev.cove.rpc.server;

import dev.cove.rpc.PeerInfo;

/** Told when clients come and go (after their hello, so their name and pid are known). */
public interface ServerListener {
    default void connected(PeerInfo peer) {
    }

    default void disconnected(PeerInfo peer) {
    }
}
