package dev.cove.api.sessions;

import dev.cove.rpc.client.CoreClient;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Application sessions for programs that use Cove: start one, report on it, read others.
 *
 * <pre>{@code
 * try (CoreClient client = Cove.client(InstancePaths.resolve(null, null)).autoStart().build();
 *      Session session = Sessions.of(client).start("MyApp", "2.1")) {
 *     session.state(Map.of("window", Map.of("open", List.of("w1"))));
 *     session.event("file_opened", Map.of("size", 1234));
 *     session.metric("fps", 59.8);
 *     session.heartbeat();          // from the app's main loop
 * }
 * }</pre>
 *
 * <p>Settings are immutable: each {@code withX} returns a new {@code Sessions}.
 */
public final class Sessions {
    private final CoreClient client;
    final Duration flushInterval;
    final Duration hangWindow;
    final Map<String, String> tags;
    final boolean endOnShutdown;
    final boolean autoHeartbeat;
    final int maxBufferedPoints;
    final int maxPointsPerReport;
    final Duration callTimeout;
    final Duration closeTimeout;

    private Sessions(CoreClient client, Duration flushInterval, Duration hangWindow, Map<String, String> tags,
                     boolean endOnShutdown, boolean autoHeartbeat, int maxBufferedPoints, int maxPointsPerReport,
                     Duration callTimeout, Duration closeTimeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.flushInterval = flushInterval;
        this.hangWindow = hangWindow;
        this.tags = tags;
        this.endOnShutdown = endOnShutdown;
        this.autoHeartbeat = autoHeartbeat;
        this.maxBufferedPoints = maxBufferedPoints;
        this.maxPointsPerReport = maxPointsPerReport;
        this.callTimeout = callTimeout;
        this.closeTimeout = closeTimeout;
    }

    /** Sessions over {@code client} with the defaults: 250 ms batches, the daemon's hang window. */
    public static Sessions of(CoreClient client) {
        return new Sessions(client, Duration.ofMillis(250), null, Map.of(), true, false, 1_000_000, 100_000,
                Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    public CoreClient client() {
        return client;
    }

    /**
     * How long state changes and metrics wait client-side to be sent together (default 250 ms; 0
     * sends at once). Events are sent as soon as they are logged, with whatever else is waiting.
     */
    public Sessions withFlushInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("the flush interval cannot be negative");
        }
        return new Sessions(client, interval, hangWindow, tags, endOnShutdown, autoHeartbeat, maxBufferedPoints,
                maxPointsPerReport, callTimeout, closeTimeout);
    }

    /** The silence after which the daemon reports the app hung; {@link Duration#ZERO} turns detection off. */
    public Sessions withHangWindow(Duration window) {
        return new Sessions(client, flushInterval, window, tags, endOnShutdown, autoHeartbeat, maxBufferedPoints,
                maxPointsPerReport, callTimeout, closeTimeout);
    }

    /** Tags for every session started from here (checked at start). */
    public Sessions withTags(Map<String, String> tags) {
        return new Sessions(client, flushInterval, hangWindow, Map.copyOf(tags), endOnShutdown, autoHeartbeat,
                maxBufferedPoints, maxPointsPerReport, callTimeout, closeTimeout);
    }

    /**
     * Whether the JVM shutdown hook ends open sessions (default true; reason "jvm shutdown", no exit
     * status). With false it only flushes them, and the daemon marks them crashed once the process is gone.
     */
    public Sessions withEndOnShutdown(boolean end) {
        return new Sessions(client, flushInterval, hangWindow, tags, end, autoHeartbeat, maxBufferedPoints,
                maxPointsPerReport, callTimeout, closeTimeout);
    }

    /**
     * Let the library heartbeat by itself (default false). Then "hung" means the JVM stopped, not your
     * main loop: prefer calling {@link Session#heartbeat()} from the loop whose stalls you care about.
     */
    public Sessions withAutoHeartbeat(boolean auto) {
        return new Sessions(client, flushInterval, hangWindow, tags, endOnShutdown, auto, maxBufferedPoints,
                maxPointsPerReport, callTimeout, closeTimeout);
    }

    /** Metric points held while the daemon is unreachable before new ones are dropped (default 1,000,000). */
    public Sessions withMaxBufferedPoints(int points) {
        if (points < 1) {
            throw new IllegalArgumentException("maxBufferedPoints must be at least 1");
        }
        return new Sessions(client, flushInterval, hangWindow, tags, endOnShutdown, autoHeartbeat, points,
                Math.min(maxPointsPerReport, points), callTimeout, closeTimeout);
    }

    /** How long close() tries to deliver what is left (default 10 s). */
    public Sessions withCloseTimeout(Duration timeout) {
        return new Sessions(client, flushInterval, hangWindow, tags, endOnShutdown, autoHeartbeat, maxBufferedPoints,
                maxPointsPerReport, callTimeout, timeout);
    }

    /** Registers a session for this process and starts batching for it. */
    public Session start(String app, String version) {
        return start(app, version, null);
    }

    /** Registers a session for this process with an initial state. */
    public Session start(String app, String version, Map<String, ?> initialState) {
        Map<String, Object> state = StateMerge.normalize(initialState, "state");
        Long window = hangWindow == null ? null : hangWindow.toMillis();
        RegisterSession request = new RegisterSession(app, version, ProcessHandle.current().pid(), tags, window, state);
        SessionRegistered registered = client.call(request, callTimeout);
        return new Session(this, client, registered, request.app(), request.state());
    }

    // ---- reading ----

    public SessionList list(ListSessions query) {
        return client.call(query);
    }

    public SessionDetail get(String sessionId) {
        return client.call(new GetSession(sessionId));
    }

    public MetricSeries metrics(QueryMetrics query) {
        return client.call(query);
    }
}
