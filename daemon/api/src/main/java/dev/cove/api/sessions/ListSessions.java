package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.time.Instant;

/**
 * Lists sessions, newest first.
 *
 * <p>Status filters: the flags set to true are OR-ed ({@code hung} and {@code crashed} lists both);
 * with none true, every status is listed; a flag set to false leaves its sessions out.
 * {@code active} means ACTIVE or HUNG, {@code ended} means ended with {@code sessions.end}
 * (CRASHED is separate).
 *
 * @param app   only this application
 * @param since only sessions alive at some point since this instant (still running, or ended after it)
 * @param limit at most this many (default 100, at most 10,000)
 */
@Method("query:sessions.list.v1")
public record ListSessions(@Nullable String app, @Nullable Boolean active, @Nullable Boolean hung,
                           @Nullable Boolean crashed, @Nullable Boolean ended, @Nullable Instant since,
                           @Nullable Integer limit) implements Request<SessionList> {
    public ListSessions {
        app = app == null || app.isBlank() ? null : app;
        if (limit != null && (limit < 1 || limit > 10_000)) {
            throw new IllegalArgumentException("limit must be between 1 and 10000, got " + limit);
        }
    }

    /** Every session, newest first (up to 100). */
    public static ListSessions all() {
        return new ListSessions(null, null, null, null, null, null, null);
    }
}
