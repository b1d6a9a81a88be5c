package dev.cove.rpc.instance;

import dev.cove.rpc.Nullable;

/**
 * One instance found under a data folder.
 *
 * @param pid the PID in the instance's lock file when that process is alive, else null
 */
public record InstanceStatus(String name, State state, @Nullable Long pid, String socket) {
    public enum State {
        /** A daemon accepts connections on the socket. */
        RUNNING,
        /** A socket file is left but nothing answers: the daemon died without cleaning up. */
        STALE,
        /** No daemon runs. */
        STOPPED
    }
}
