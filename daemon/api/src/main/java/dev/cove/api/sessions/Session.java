package dev.cove.api.sessions;

import dev.cove.api.events.LogLevel;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running application's session: report state, events, metrics and heartbeats; close it when the
 * application ends. Every method may be called from any thread, and none waits for the daemon except
 * {@link #flush}, {@link #end} and {@link #close}.
 *
 * <p>Batching: state changes, metric points and heartbeats are buffered and sent together in one
 * {@code sessions.report} call per flush interval (250 ms by default). State is kept as a local copy:
 * a {@link #state} call that changes nothing is dropped at once, and what is sent is the difference
 * between what the daemon has and the local copy, so changes that cancel out within an interval
 * are never sent. An {@link #event} is sent as soon as possible, together with whatever else waits.
 * Heartbeats are sent at most about four times per hang window (and at most once a second).
 *
 * <p>Delivery: a report that fails because the daemon is unreachable is kept and retried, with the
 * same batch number, so the daemon applies it once even if the failure hid a success. Everything
 * buffered is flushed on {@link #close} and when the JVM shuts down.
 */
public final class Session implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final Set<Session> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK = new AtomicBoolean();
    private static final int MAX_EVENTS_PER_REPORT = 10_000;

    private final Sessions settings;
    private final CoreClient client;
    private final String id;
    private final String app;
    private final long hangWindowMillis;
    private final long heartbeatGapNanos;
    /** A flush interval of zero: every call wakes the flusher. */
    private final boolean immediate;
    private final Thread flusher;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition flushed = lock.newCondition();

    // ---- guarded by lock ----
    private final Map<String, Object> current;
    private boolean stateDirty;
    private List<AppEvent> events = new ArrayList<>();
    private final LinkedHashMap<SeriesKey, Column> columns = new LinkedHashMap<>();
    private long bufferedPoints;
    private boolean heartbeatPending;
    private long lastHeartbeatSent = System.nanoTime();
    private boolean urgent;
    private long requested;
    private long completed;
    private boolean closing;
    private boolean dead;
    private volatile RpcException lastError;

    // ---- flusher thread only ----
    private Map<String, Object> sent;
    private volatile Pending inFlight;
    private long nextBatch = 1;

    private final LongAdder stateCalls = new LongAdder();
    private final LongAdder stateUnchanged = new LongAdder();
    private final LongAdder eventCalls = new LongAdder();
    private final LongAdder metricCalls = new LongAdder();
    private final LongAdder heartbeatCalls = new LongAdder();
    private final LongAdder daemonCalls = new LongAdder();
    private final LongAdder reports = new LongAdder();
    private final LongAdder statePatches = new LongAdder();
    private final LongAdder eventsSent = new LongAdder();
    private final LongAdder pointsSent = new LongAdder();
    private final LongAdder heartbeatsSent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();

    /** One series' identity in the buffer. */
    private record SeriesKey(String name, MetricKind kind, String unit, Map<String, String> tags) {
    }

    /** A growable column of points. */
    private static final class Column {
        long[] times = new long[64];
        double[] values = new double[64];
        int size;

        void add(long t, double v) {
            if (size == times.length) {
                int n = size * 2;
                times = Arrays.copyOf(times, n);
                values = Arrays.copyOf(values, n);
            }
            times[size] = t;
            values[size] = v;
            size++;
        }
    }

    /** A report on its way, kept until the daemon acknowledges it. */
    private record Pending(Report report, Map<String, Object> stateAfter, long generation, boolean drainedAll) {
    }

    Session(Sessions settings, CoreClient client, SessionRegistered registered, String app,
            Map<String, Object> initialState) {
        this.settings = settings;
        this.client = client;
        this.id = registered.sessionId();
        this.app = app;
        this.hangWindowMillis = registered.hangWindowMillis();
        long gapMillis = hangWindowMillis > 0 ? Math.min(1000, Math.max(10, hangWindowMillis / 4)) : 1000;
        this.heartbeatGapNanos = TimeUnit.MILLISECONDS.toNanos(gapMillis);
        this.immediate = settings.flushInterval.isZero();
        this.current = initialState == null ? new LinkedHashMap<>()
                : StateMerge.merged(Map.of(), initialState);
        this.sent = StateMerge.merged(Map.of(), current);
        daemonCalls.increment();
        this.flusher = new Thread(this::runFlusher, "cove-session-" + id);
        flusher.setDaemon(true);
        OPEN.add(this);
        installShutdownHook();
        flusher.start();
    }

    /** The session's id, as {@code cove sessions show} takes it. */
    public String id() {
        return id;
    }

    public String app() {
        return app;
    }

    /** The hang window the daemon applies to this session, in milliseconds (0: hang detection off). */
    public long hangWindowMillis() {
        return hangWindowMillis;
    }

    // ---- reporting ----

    /** "Still alive". Call it from the loop whose stalls should count as a hang; it never blocks. */
    public void heartbeat() {
        heartbeatCalls.increment();
        lock.lock();
        try {
            if (!accepting()) {
                return;
            }
            heartbeatPending = true;
            if (System.nanoTime() - lastHeartbeatSent >= heartbeatGapNanos) {
                urgent = true;
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deep-merges {@code patch} into the session's state (nested maps merge, lists and scalars
     * replace, a null value deletes the key). Sent with the next batch, only if it changed anything.
     *
     * @throws IllegalArgumentException if the patch holds something other than maps, lists, strings,
     *                                  numbers and booleans
     */
    public void state(Map<String, ?> patch) {
        stateCalls.increment();
        Map<String, Object> p = StateMerge.normalize(patch, "state");
        if (p == null) {
            throw new IllegalArgumentException("state(null): pass a map of the keys to change");
        }
        lock.lock();
        try {
            if (!accepting()) {
                return;
            }
            if (StateMerge.apply(current, p)) {
                stateDirty = true;
                if (immediate) {
                    urgent = true;
                    wake.signal();
                }
            } else {
                stateUnchanged.increment();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sets one top-level state key: {@code state("user", "ann")}. */
    public void state(String key, Object value) {
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put(key, value);
        state(patch);
    }

    /** The state as this session last set it (a copy). */
    public Map<String, Object> currentState() {
        lock.lock();
        try {
            return StateMerge.merged(Map.of(), current);
        } finally {
            lock.unlock();
        }
    }

    /** Logs an INFO event. */
    public void event(String name) {
        event(name, LogLevel.INFO, null);
    }

    /** Logs an INFO event with data. */
    public void event(String name, Map<String, ?> data) {
        event(name, LogLevel.INFO, data);
    }

    /** Logs an event; it is sent at once, with whatever else is waiting. */
    public void event(String name, LogLevel level, Map<String, ?> data) {
        eventCalls.increment();
        AppEvent e = new AppEvent(name, level, StateMerge.normalize(data, "event data"), Instant.now());
        lock.lock();
        try {
            if (!accepting()) {
                return;
            }
            events.add(e);
            urgent = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Records a gauge value. */
    public void metric(String name, double value) {
        metric(name, value, MetricKind.GAUGE, null, Map.of());
    }

    public void metric(String name, double value, MetricKind kind) {
        metric(name, value, kind, null, Map.of());
    }

    /** Records a value of a series (name, kind, unit, tags), timed now. */
    public void metric(String name, double value, MetricKind kind, String unit, Map<String, String> tags) {
        metric(name, value, kind, unit, tags, System.currentTimeMillis());
    }

    /** Records a value at {@code epochMillis}. */
    public void metric(String name, double value, MetricKind kind, String unit, Map<String, String> tags,
                       long epochMillis) {
        metricCalls.increment();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("metric '" + name + "' has the value " + value
                    + "; values must be finite numbers");
        }
        SeriesKey key = new SeriesKey(name, kind == null ? MetricKind.GAUGE : kind, unit,
                tags == null ? Map.of() : tags);
        lock.lock();
        try {
            if (!accepting()) {
                return;
            }
            Column c = columns.get(key);
            if (c == null) {
                Checks.name("metric name", name);
                Checks.optional("metric unit", unit);
                key = new SeriesKey(name, key.kind(), unit, Checks.tags("metric '" + name + "' tag", key.tags()));
                c = new Column();
                columns.put(key, c);
            }
            if (bufferedPoints >= settings.maxBufferedPoints) {
                dropped.increment();
                return;
            }
            Checks.timeMillis("metric '" + name + "' time", epochMillis);
            c.add(epochMillis, value);
            bufferedPoints++;
            if (immediate || bufferedPoints >= settings.maxPointsPerReport) {
                urgent = true;
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Adds 1 to a counter. */
    public void count(String name) {
        metric(name, 1, MetricKind.COUNTER);
    }

    /** Adds {@code delta} to a counter. */
    public void count(String name, double delta) {
        metric(name, delta, MetricKind.COUNTER);
    }

    /** Records a duration in milliseconds as a timer. */
    public void time(String name, Duration duration) {
        metric(name, duration.toNanos() / 1e6, MetricKind.TIMER, "ms", Map.of());
    }

    private boolean accepting() {
        if (closing || dead) {
            dropped.increment();
            return false;
        }
        return true;
    }

    // ---- delivery ----

    /**
     * Sends everything recorded so far and waits until the daemon has it on disk.
     *
     * @return true when all of it was acknowledged within {@code timeout}; false on timeout or when
     * the daemon refused the session (see {@link #lastError()})
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            if (dead) {
                return false;
            }
            long mine = ++requested;
            urgent = true;
            wake.signal();
            while (completed < mine) {
                long left = deadline - System.nanoTime();
                if (dead || left <= 0 || !flusher.isAlive()) {
                    return completed >= mine;
                }
                flushed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #flush(Duration)} with the close timeout (10 s by default). */
    public boolean flush() {
        return flush(settings.closeTimeout);
    }

    /** Ends the session with exit status 0 after delivering everything buffered. */
    @Override
    public void close() {
        end(0, null);
    }

    /**
     * Delivers everything buffered (for up to the close timeout), then ends the session with this exit
     * status and reason. Later calls on this session are ignored.
     */
    public void end(Integer exitStatus, String reason) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            requested++;
            urgent = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
        try {
            flusher.join(settings.closeTimeout.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        OPEN.remove(this);
        if (dead) {
            return;
        }
        try {
            daemonCalls.increment();
            client.call(new EndSession(id, exitStatus, reason), settings.callTimeout);
        } catch (RpcException e) {
            failedCalls.increment();
            lastError = e;
            LOG.log(System.Logger.Level.WARNING, "Cove session " + id + " could not be ended: " + e.getMessage());
        }
        long lost = lostOnClose();
        if (lost > 0) {
            LOG.log(System.Logger.Level.WARNING, "Cove session " + id + ": " + lost
                    + " buffered items could not be delivered before close" + (lastError == null ? ""
                    : ": " + lastError.getMessage()));
        }
    }

    private long lostOnClose() {
        lock.lock();
        try {
            long n = bufferedPoints + events.size() + (inFlight != null ? inFlight.report().points()
                    + inFlight.report().events().size() : 0);
            dropped.add(n);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** The last error the daemon or the connection gave, or null. */
    public RpcException lastError() {
        return lastError;
    }

    /** Calls made here versus calls sent to the daemon. */
    public SessionStats stats() {
        return new SessionStats(stateCalls.sum(), stateUnchanged.sum(), eventCalls.sum(), metricCalls.sum(),
                heartbeatCalls.sum(), daemonCalls.sum(), reports.sum(), statePatches.sum(), eventsSent.sum(),
                pointsSent.sum(), heartbeatsSent.sum(), dropped.sum(), failedCalls.sum());
    }

    // ---- the flusher thread ----

    private void runFlusher() {
        // in immediate mode calls wake the flusher; the timed wake-up only serves auto-heartbeats
        long interval = immediate ? TimeUnit.SECONDS.toNanos(1) : settings.flushInterval.toNanos();
        long backoff = 0;
        long closeDeadline = 0;
        while (true) {
            lock.lock();
            try {
                long until = System.nanoTime() + (backoff > 0 ? backoff : interval);
                while (true) {
                    // after a failure wait out the back-off (only the start of closing cuts it short), so an
                    // unreachable daemon is not hammered by every event or by a closing session
                    boolean now = backoff > 0 ? closing && closeDeadline == 0 : urgent || closing;
                    long left = until - System.nanoTime();
                    if (now || left <= 0) {
                        break;
                    }
                    wake.awaitNanos(left);
                }
                if (closing && closeDeadline == 0) {
                    closeDeadline = System.nanoTime() + settings.closeTimeout.toNanos();
                }
                urgent = false;
                if (settings.autoHeartbeat && !closing) {
                    heartbeatPending = true;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            boolean ok = flushOnce();
            if (dead) {
                return;
            }
            if (closing && (ok || System.nanoTime() > closeDeadline)) {
                return;
            }
            backoff = ok ? 0 : Math.min(Math.max(backoff * 2, TimeUnit.MILLISECONDS.toNanos(100)),
                    TimeUnit.SECONDS.toNanos(2));
        }
    }

    /** Sends until nothing is left; false when a call failed (what it carried stays for the retry). */
    private boolean flushOnce() {
        while (true) {
            Pending p = inFlight;
            if (p == null) {
                lock.lock();
                try {
                    p = drain();
                    if (p == null) {
                        completed = Math.max(completed, requested);
                        flushed.signalAll();
                        return true;
                    }
                } finally {
                    lock.unlock();
                }
                inFlight = p;
            }
            ReportResult result;
            try {
                daemonCalls.increment();
                result = client.call(p.report(), settings.callTimeout);
            } catch (RpcException e) {
                failedCalls.increment();
                lastError = e;
                if (retryable(e.code()) && !clientClosed(e)) {
                    return false;
                }
                inFlight = null;
                dropped.add(p.report().points() + p.report().events().size() + (p.report().state() != null ? 1 : 0));
                if (e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.CONFLICT || clientClosed(e)) {
                    LOG.log(System.Logger.Level.WARNING, "Cove session " + id + " stops reporting: " + e.getMessage());
                    markDead();
                    return false;
                }
                LOG.log(System.Logger.Level.WARNING, "Cove session " + id + ": the daemon refused a report, "
                        + "which is dropped: " + e);
                continue;
            }
            inFlight = null;
            Report r = p.report();
            reports.increment();
            if (!result.duplicate()) {
                eventsSent.add(r.events().size());
                pointsSent.add(r.points());
                if (r.state() != null) {
                    statePatches.increment();
                }
                if (r.heartbeat()) {
                    heartbeatsSent.increment();
                }
            }
            if (p.stateAfter() != null) {
                sent = p.stateAfter();
            }
            if (!result.status().isLive()) {
                markDead();
                return false;
            }
            if (p.drainedAll()) {
                lock.lock();
                try {
                    completed = Math.max(completed, p.generation());
                    flushed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** The application closed the CoreClient under us: no retry can succeed. */
    private static boolean clientClosed(RpcException e) {
        return e.code() == ErrorCode.CONNECTION_LOST && String.valueOf(e.getMessage()).contains("client is closed");
    }

    private static boolean retryable(ErrorCode code) {
        return switch (code) {
            case UNAVAILABLE, CONNECTION_LOST, TIMEOUT, SHUTTING_DOWN, OVERLOADED, CANCELLED -> true;
            default -> false;
        };
    }

    private void markDead() {
        lock.lock();
        try {
            dead = true;
            long n = bufferedPoints + events.size();
            dropped.add(n);
            columns.clear();
            events = new ArrayList<>();
            bufferedPoints = 0;
            flushed.signalAll();
        } finally {
            lock.unlock();
        }
        OPEN.remove(this);
    }

    /** Takes what is buffered into one report (under the lock); null when there is nothing to send. */
    private Pending drain() {
        long generation = requested;
        Map<String, Object> patch = null;
        Map<String, Object> after = null;
        if (stateDirty) {
            stateDirty = false;
            Map<String, Object> d = StateMerge.diff(sent, current);
            if (!d.isEmpty()) {
                patch = d;
                after = StateMerge.merged(Map.of(), current);
            }
        }
        List<AppEvent> evs = List.of();
        if (!events.isEmpty()) {
            if (events.size() <= MAX_EVENTS_PER_REPORT) {
                evs = events;
                events = new ArrayList<>();
            } else {
                evs = new ArrayList<>(events.subList(0, MAX_EVENTS_PER_REPORT));
                events = new ArrayList<>(events.subList(MAX_EVENTS_PER_REPORT, events.size()));
            }
        }
        List<MetricBatch> batches = new ArrayList<>();
        long budget = settings.maxPointsPerReport;
        Iterator<Map.Entry<SeriesKey, Column>> it = columns.entrySet().iterator();
        while (it.hasNext() && budget > 0) {
            Map.Entry<SeriesKey, Column> e = it.next();
            Column c = e.getValue();
            if (c.size == 0) {
                it.remove();
                continue;
            }
            SeriesKey k = e.getKey();
            int take = (int) Math.min(c.size, budget);
            long[] t = Arrays.copyOf(c.times, take);
            double[] v = Arrays.copyOf(c.values, take);
            if (take == c.size) {
                it.remove();
            } else {
                System.arraycopy(c.times, take, c.times, 0, c.size - take);
                System.arraycopy(c.values, take, c.values, 0, c.size - take);
                c.size -= take;
            }
            batches.add(new MetricBatch(k.name(), k.kind(), k.unit(), k.tags(), t, v));
            bufferedPoints -= take;
            budget -= take;
        }
        boolean otherData = patch != null || !evs.isEmpty() || !batches.isEmpty();
        boolean heartbeat = false;
        if (heartbeatPending && (otherData || closing
                || System.nanoTime() - lastHeartbeatSent >= heartbeatGapNanos)) {
            heartbeat = true;
            heartbeatPending = false;
            lastHeartbeatSent = System.nanoTime();
        }
        if (!otherData && !heartbeat) {
            return null;
        }
        boolean drainedAll = events.isEmpty() && bufferedPoints == 0;
        Long batch = otherData ? nextBatch++ : null;
        Report r = new Report(id, batch, heartbeat, patch, evs, null, batches);
        return new Pending(r, after, generation, drainedAll);
    }

    // ---- JVM shutdown ----

    private void installShutdownHook() {
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(Session::shutdownAll, "cove-sessions-shutdown"));
        }
    }

    private static void shutdownAll() {
        List<Session> open = new ArrayList<>(OPEN);
        List<Thread> closers = new ArrayList<>();
        for (Session s : open) {
            Thread t = new Thread(() -> {
                if (s.settings.endOnShutdown) {
                    s.end(null, "jvm shutdown");
                } else {
                    s.flush();
                }
            }, "cove-session-close-" + s.id);
            t.start();
            closers.add(t);
        }
        for (Thread t : closers) {
            try {
                t.join(open.isEmpty() ? 0 : open.get(0).settings.closeTimeout.toMillis() + 2000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "Session[" + id + ", " + app + "]";
    }
}
