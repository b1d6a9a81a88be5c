package dev.cove.daemon.upstream;

import dev.cove.daemon.sessions.SessionFeed;

import java.util.List;
import java.util.function.Function;

/**
 * Where the forwarder sends batches. A call returns normally only when the upstream acknowledged the
 * whole batch; then, and only then, the forwarder moves its cursor past it.
 */
interface UpstreamSink extends AutoCloseable {
    void sendMetrics(List<SessionFeed.ChunkRecord> chunks, Function<String, SessionFeed.SessionRef> sessions)
            throws SendException;

    void sendLogs(List<SessionFeed.EventRecord> events, List<SessionFeed.StateRecord> states,
                  Function<String, SessionFeed.SessionRef> sessions) throws SendException;

    @Override
    void close();

    /** The upstream did not acknowledge a batch; the message says why, with the cause. */
    final class SendException extends Exception {
        SendException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
