package dev.cove.api.sessions;

import java.time.Instant;

/**
 * @param recovered true when this heartbeat ended a hang (an {@code application_recovered} event was logged)
 */
public record HeartbeatResult(SessionStatus status, boolean recovered, Instant time) {
}
