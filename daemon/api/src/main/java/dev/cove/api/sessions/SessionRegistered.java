package dev.cove.api.sessions;

import java.time.Instant;

/**
 * @param hangWindowMillis the hang window in force for this session (0: hang detection is off)
 */
public record SessionRegistered(String sessionId, Instant startedAt, long hangWindowMillis) {
}
