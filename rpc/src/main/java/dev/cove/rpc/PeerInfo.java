package dev.cove.rpc;

import java.time.Instant;

/**
 * A connected client. {@code user} comes from the kernel (SO_PEERCRED); {@code pid} and
 * {@code name} are what the client said in its hello, checked against /proc where it exists.
 */
public record PeerInfo(long connectionId, String user, long uid, long pid, String name, String version,
                       Instant since) {
}
