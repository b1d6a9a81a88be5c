package dev.cove.api.sessions;

import dev.cove.rpc.Nullable;

import java.time.Instant;
import java.util.Map;

/**
 * A session's summary.
 *
 * @param lastHeartbeat when the last heartbeat arrived (registering counts as one)
 * @param lastSeen      when the daemon last heard anything from the application
 * @param hungSince     when the current hang was detected (status HUNG only)
 * @param endedAt       when the session ended or its crash was detected
 * @param endReason     the reason given to {@code end}, or what the daemon saw (CRASHED)
 * @param events        events stored with the session (the application's and the daemon's)
 * @param metricPoints  metric points stored
 * @param calls         write calls the daemon received for the session (reports, heartbeats, ...)
 */
public record SessionInfo(String sessionId, String app, @Nullable String version, long pid, Map<String, String> tags,
                          SessionStatus status, Instant startedAt, @Nullable Instant endedAt,
                          @Nullable Integer exitStatus, @Nullable String endReason, @Nullable Instant lastHeartbeat,
                          Instant lastSeen, @Nullable Instant hungSince, long hangWindowMillis, long stateVersion,
                          long events, long metricPoints, long calls) {
}
