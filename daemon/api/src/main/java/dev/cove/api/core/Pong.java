package dev.cove.api.core;

import java.time.Instant;

public record Pong(String version, String instance, long pid, Instant time) {
}
