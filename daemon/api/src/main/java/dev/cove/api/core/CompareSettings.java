package dev.cove.api.core;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

import java.util.List;

/**
 * Compares daemon options, as {@code cove daemon} takes them ({@code --idle-timeout 10m}, {@code --log-level=debug}),
 * with the running daemon's settings, read by the daemon's own parser so that {@code 600s} and {@code 10m} agree.
 * A malformed or unknown option is INVALID_INPUT with the parser's message.
 */
@Method("query:core.settings.compare.v1")
public record CompareSettings(List<String> options) implements Request<SettingsComparison> {
}
