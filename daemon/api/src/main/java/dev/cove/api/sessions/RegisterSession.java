package dev.cove.api.sessions;

import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.util.Map;

/**
 * Starts a session for a running application. The daemon watches {@code pid}: if that process goes
 * away before {@link EndSession}, the session is marked CRASHED with a {@code parent_process_crashed}
 * event; if no heartbeat comes for {@code hangWindowMillis}, an {@code application_appears_hung} event.
 *
 * @param app              the application's name, e.g. {@code "MyApp"}
 * @param version          the application's version, e.g. {@code "2.1"}
 * @param pid              the application's process id (the process whose death means a crash)
 * @param tags             free-form labels (host role, build flavour); at most 32
 * @param hangWindowMillis silence after which the app counts as hung: null for the daemon's default
 *                         ({@code --hang-window}, 60 s unless set), 0 to switch hang detection off,
 *                         else at least 100
 * @param state            the initial state, if any (the same shape {@link UpdateState} merges into)
 */
@Method("action:sessions.register.input.v1")
public record RegisterSession(String app, @Nullable String version, long pid, @Nullable Map<String, String> tags,
                             @Nullable Long hangWindowMillis, @Nullable Map<String, Object> state)
        implements Request<SessionRegistered> {
    public RegisterSession {
        app = Checks.name("app", app);
        version = Checks.optional("version", version);
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be the application's process id (a positive number), got " + pid);
        }
        tags = Checks.tags("tag", tags);
        if (hangWindowMillis != null && hangWindowMillis != 0
                && (hangWindowMillis < 100 || hangWindowMillis > 7L * 24 * 3600 * 1000)) {
            throw new IllegalArgumentException("hangWindowMillis must be 0 (no hang detection) or between 100 ms and "
                    + "7 days, got " + hangWindowMillis);
        }
        state = StateMerge.normalize(state, "state");
    }

    public RegisterSession(String app, String version, long pid) {
        this(app, version, pid, null, null, null);
    }
}
