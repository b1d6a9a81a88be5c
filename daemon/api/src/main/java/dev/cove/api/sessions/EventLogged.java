package dev.cove.api.sessions;

import java.time.Instant;

public record EventLogged(long eventId, Instant time) {
}
