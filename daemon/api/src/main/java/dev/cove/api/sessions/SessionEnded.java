package dev.cove.api.sessions;

import dev.cove.rpc.Nullable;

import java.time.Instant;

public record SessionEnded(String sessionId, SessionStatus status, Instant endedAt, @Nullable Integer exitStatus) {
}
