package dev.cove.api.sessions;

/**
 * What a {@link Session} did for its application: calls made by the application on one side, calls
 * sent to the daemon on the other. The gap between them is what batching saved.
 *
 * @param stateCalls     {@code state(...)} calls
 * @param stateUnchanged of those, the ones that changed nothing and were dropped at once
 * @param eventCalls     {@code event(...)} calls
 * @param metricCalls    metric points recorded
 * @param heartbeatCalls {@code heartbeat()} calls
 * @param daemonCalls    calls sent to the daemon (register, reports, end; retries included)
 * @param reports        reports the daemon acknowledged
 * @param statePatches   state patches sent (after merging and dropping no-op changes)
 * @param eventsSent     events the daemon acknowledged
 * @param pointsSent     metric points the daemon acknowledged
 * @param heartbeatsSent heartbeats sent
 * @param dropped        calls dropped: after close, over the buffer limit, or refused by the daemon
 * @param failedCalls    calls to the daemon that failed (and were retried, or dropped if refused)
 */
public record SessionStats(long stateCalls, long stateUnchanged, long eventCalls, long metricCalls,
                           long heartbeatCalls, long daemonCalls, long reports, long statePatches, long eventsSent,
                           long pointsSent, long heartbeatsSent, long dropped, long failedCalls) {
    /** Calls the application made: state, events, metrics and heartbeats. */
    public long appCalls() {
        return stateCalls + eventCalls + metricCalls + heartbeatCalls;
    }
}
