package dev.cove.api.events;

import dev.cove.rpc.EventFilter;
import dev.cove.rpc.Nullable;

import java.time.Instant;

/**
 * One line of the daemon's log. {@code target} is the logger name without the {@code dev.cove.}
 * prefix, e.g. {@code rpc.server.RpcServer} or {@code daemon.ops.core.PingOp}.
 *
 * <p>Filters: {@code level} is a minimum ({@code warn} passes warn and error); {@code target}
 * matches the target and everything below it ({@code rpc} passes {@code rpc.server.RpcServer}).
 */
public record LogMessage(Instant time, LogLevel level, String target, String message, String thread,
                         @Nullable String error) implements CoveEvent {
    @Override
    public boolean matches(EventFilter filter) {
        String min = filter.get("level");
        if (min != null && level.compareTo(LogLevel.parse(min)) < 0) {
            return false;
        }
        String t = filter.get("target");
        return t == null || target.equals(t) || target.startsWith(t + ".");
    }
}
