package dev.cove.daemon.sessions;

import dev.cove.api.events.EventOrigin;
import dev.cove.api.events.LogLevel;
import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.AppEvent;
import dev.cove.api.sessions.EndSession;
import dev.cove.api.sessions.EventLogged;
import dev.cove.api.sessions.Heartbeat;
import dev.cove.api.sessions.HeartbeatResult;
import dev.cove.api.sessions.LogEvent;
import dev.cove.api.sessions.LogMetrics;
import dev.cove.api.sessions.MetricsLogged;
import dev.cove.api.sessions.StateUpdated;
import dev.cove.api.sessions.UpdateState;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.ListSessions;
import dev.cove.api.sessions.Metric;
import dev.cove.api.sessions.MetricBatch;
import dev.cove.api.sessions.MetricKind;
import dev.cove.api.sessions.MetricSeries;
import dev.cove.api.sessions.MetricSeriesInfo;
import dev.cove.api.sessions.QueryMetrics;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.Report;
import dev.cove.api.sessions.ReportResult;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionEnded;
import dev.cove.api.sessions.SessionList;
import dev.cove.api.sessions.SessionRegistered;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.api.sessions.StateMerge;
import dev.cove.daemon.storage.Database;
import dev.cove.daemon.storage.StorageException;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.PeerInfo;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.server.EventHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sessions domain: applications' sessions stored in SQLite, watched for hangs and crashes, and
 * reported on the event bus as {@link SessionEvent}s.
 *
 * <p>Every write for one session runs under that session's lock and in one transaction of the
 * database's writer, which commits before the call is answered. Events are published only after
 * their transaction committed, so a subscriber never sees an event the database does not have.
 *
 * <p>Monitoring: one thread checks every live session every {@link Settings#checkInterval}: is its
 * process still the one that registered (pid and start time; a zombie counts as gone), and has it
 * been silent for longer than its hang window?
 */
public final class SessionService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionService.class);
    /** A session's state, as JSON, may not grow beyond this. */
    static final int MAX_STATE_BYTES = 1 << 20;
    /** One event's data, as JSON, may not be larger than this. */
    static final int MAX_EVENT_DATA_BYTES = 64 * 1024;
    private static final String ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final String EVENT_TYPE = EventTypes.nameOf(SessionEvent.class);

    /**
     * @param hangWindow    the hang window of sessions that do not choose their own (0: no hang detection)
     * @param retention     ended sessions older than this are deleted with their data (0: kept forever)
     * @param checkInterval how often the monitor looks at every live session
     */
    public record Settings(Duration hangWindow, Duration retention, Duration checkInterval) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(60), Duration.ofDays(30), Duration.ofMillis(200));
        }
    }

    /** What the daemon keeps in memory about a live session. */
    private static final class Live {
        final String id;
        final String app;
        final long pid;
        final Long pidStart;
        final long windowMillis;
        final ReentrantLock lock = new ReentrantLock();
        volatile long lastBeatNanos;
        volatile long lastBeatWallMs;
        boolean hung; // guarded by lock
        boolean done; // guarded by lock

        /** The hang clock starts now: at registration, or when a restarted daemon takes the session over. */
        Live(String id, String app, long pid, Long pidStart, long windowMillis, boolean hung, long lastBeatWallMs) {
            this.id = id;
            this.app = app;
            this.pid = pid;
            this.pidStart = pidStart;
            this.windowMillis = windowMillis;
            this.hung = hung;
            this.lastBeatNanos = System.nanoTime();
            this.lastBeatWallMs = lastBeatWallMs;
        }
    }

    /** What one write did. */
    private record Outcome(boolean duplicate, SessionStatus status, boolean recovered, boolean stateChanged,
                           long stateVersion, List<Long> eventIds, long points, List<SessionEvent> publish) {
    }

    private final Database db;
    private final EventHub hub;
    private final Settings settings;
    private final ConcurrentHashMap<String, Live> live = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService monitor;
    private volatile long nextPruneNanos;
    private volatile boolean closed;
    /** Set while upstream forwarding is configured: state changes are then kept for it (see SessionFeed). */
    private volatile boolean recordStateChanges;
    /** Told (after the commit) of every daemon event: forwarding sends crashes and hangs at once. */
    private volatile java.util.function.Consumer<SessionEvent> committed = e -> { };

    private SessionService(Database db, EventHub hub, Settings settings) {
        this.db = db;
        this.hub = hub;
        this.settings = settings;
        this.monitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sessions-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens (or creates) the sessions database, marks sessions whose process died while no daemon
     * watched as CRASHED, and takes the others under watch. Call {@link #startMonitoring} once the
     * daemon serves.
     *
     * @throws StorageException when the database cannot be used
     */
    public static SessionService open(Path file, EventHub hub, Settings settings) {
        return open(file, hub, settings, Database.Options.defaults());
    }

    public static SessionService open(Path file, EventHub hub, Settings settings, Database.Options options) {
        Database db = Database.open(file, SessionStore.MIGRATIONS, options);
        SessionService s = new SessionService(db, hub, settings);
        try {
            s.recover();
            s.prune();
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return s;
    }

    private void recover() {
        List<SessionStore.Row> rows = db.read(SessionStore::liveRows);
        int crashed = 0;
        for (SessionStore.Row row : rows) {
            if (ProcessProbe.alive(row.pid(), row.pidStart())) {
                // the app could not heartbeat while no daemon ran: its hang clock restarts now
                live.put(row.id(), new Live(row.id(), row.app(), row.pid(), row.pidStart(), row.hangWindowMs(),
                        row.status() == SessionStatus.HUNG,
                        row.lastHeartbeatMs() != null ? row.lastHeartbeatMs() : row.lastSeenMs()));
                continue;
            }
            crashed++;
            long now = System.currentTimeMillis();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("pid", row.pid());
            data.put("detectedBy", "daemon_start");
            data.put("lastHeartbeat", iso(row.lastHeartbeatMs()));
            data.put("lastSeen", iso(row.lastSeenMs()));
            data.put("note", "the process was gone when the daemon started: it ended while no daemon was watching, "
                    + "without ending its session");
            SessionEvent ev = db.write(c -> {
                SessionStore.finish(c, row.id(), SessionStatus.CRASHED, now, null, "process " + row.pid()
                        + " was gone when the daemon started", false);
                return stored(c, row.id(), row.app(), EventOrigin.DAEMON, SessionEvent.PARENT_PROCESS_CRASHED,
                        LogLevel.ERROR, data, now);
            });
            publish(ev);
        }
        if (!rows.isEmpty()) {
            log.info("sessions: {} live at start-up, {} of them crashed while no daemon watched", rows.size(), crashed);
        }
    }

    /** Starts the hang and crash checks. */
    public void startMonitoring() {
        long every = Math.max(10, settings.checkInterval().toMillis());
        monitor.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    // ---- writes ----

    public SessionRegistered register(RegisterSession in, PeerInfo peer) {
        Optional<Long> start = ProcessProbe.startOf(in.pid());
        if (start.isEmpty()) {
            throw RpcException.invalidInput("process " + in.pid() + " is not running: register with the pid of the "
                    + "application itself (ProcessHandle.current().pid() in Java, $$ in a shell)");
        }
        long window = in.hangWindowMillis() != null ? in.hangWindowMillis() : settings.hangWindow().toMillis();
        Map<String, Object> state = StateMerge.merged(Map.of(), in.state());
        String stateJson = SessionStore.json(state);
        checkStateSize(stateJson);
        long now = System.currentTimeMillis();
        Long pidStart = start.get() >= 0 ? start.get() : null;
        String id = newId();
        SessionStore.Row row = new SessionStore.Row(id, in.app(), in.version(), in.pid(), pidStart, in.tags(),
                SessionStatus.ACTIVE, now, null, null, null, now, now, null, window, state.isEmpty() ? 0 : 1, 0, 0, 1,
                0);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("pid", in.pid());
        if (in.version() != null) {
            data.put("version", in.version());
        }
        data.put("hangWindowMillis", window);
        if (!in.tags().isEmpty()) {
            data.put("tags", new LinkedHashMap<>(in.tags()));
        }
        if (peer != null) {
            data.put("client", peer.name());
        }
        SessionEvent ev = db.write(c -> {
            SessionStore.insertSession(c, row, stateJson);
            return stored(c, id, in.app(), EventOrigin.DAEMON, SessionEvent.SESSION_REGISTERED, LogLevel.INFO, data, now);
        });
        live.put(id, new Live(id, in.app(), in.pid(), pidStart, window, false, now));
        publish(ev);
        log.info("session {} registered: {} {} (pid {})", id, in.app(), in.version() == null ? "" : in.version(),
                in.pid());
        return new SessionRegistered(id, Instant.ofEpochMilli(now), window);
    }

    /** Applies a report (and, through it, heartbeat, state.update, event.log and metric.log). */
    public ReportResult report(Report r) {
        Outcome o = apply(r);
        return new ReportResult(o.duplicate(), o.status(), o.recovered(), o.stateChanged(), o.stateVersion(),
                o.eventIds().size(), o.points());
    }

    public HeartbeatResult heartbeat(Heartbeat in) {
        Outcome o = apply(new Report(in.sessionId(), null, true, null, null, null, null));
        return new HeartbeatResult(o.status(), o.recovered(), Instant.now());
    }

    public StateUpdated updateState(UpdateState in) {
        Outcome o = apply(new Report(in.sessionId(), null, false, in.patch(), null, null, null));
        return new StateUpdated(o.stateChanged(), o.stateVersion());
    }

    public EventLogged logEvent(LogEvent in) {
        AppEvent e = in.event();
        Instant time = e.time() != null ? e.time() : Instant.now();
        AppEvent timed = new AppEvent(e.name(), e.level(), e.data(), time);
        Outcome o = apply(new Report(in.sessionId(), null, false, null, List.of(timed), null, null));
        return new EventLogged(o.eventIds().get(0), time);
    }

    public MetricsLogged logMetrics(LogMetrics in) {
        Outcome o = apply(new Report(in.sessionId(), null, false, null, null, in.metrics(), in.batches()));
        return new MetricsLogged(o.points());
    }

    private Outcome apply(Report r) {
        String id = r.sessionId();
        Live w = live.get(id);
        if (w == null) {
            throw notLive(id);
        }
        List<SessionStore.SeriesChunk> chunks = chunks(r);
        long points = r.points();
        w.lock.lock();
        try {
            if (w.done) {
                throw notLive(id);
            }
            long now = System.currentTimeMillis();
            boolean recover = r.heartbeat() && w.hung;
            long silentMs = now - w.lastBeatWallMs;
            Outcome o = db.write(c -> {
                SessionStore.Row row = SessionStore.row(c, id);
                if (row == null || !row.status().isLive()) {
                    throw notLive(row, id);
                }
                if (r.batch() != null && r.batch() <= row.lastBatch()) {
                    return new Outcome(true, row.status(), false, false, row.stateVersion(), List.of(), 0, List.of());
                }
                List<SessionEvent> publish = new ArrayList<>();
                List<Long> eventIds = new ArrayList<>();
                SessionStatus status = row.status();
                if (recover && status == SessionStatus.HUNG) {
                    SessionStore.markRecovered(c, id);
                    Map<String, Object> data = new LinkedHashMap<>();
                    long hungSince = row.hungSinceMs() == null ? now : row.hungSinceMs();
                    data.put("hungSince", iso(hungSince));
                    data.put("hungForMillis", now - hungSince);
                    data.put("silentForMillis", silentMs);
                    publish.add(stored(c, id, row.app(), EventOrigin.DAEMON, SessionEvent.APPLICATION_RECOVERED,
                            LogLevel.INFO, data, now));
                    status = SessionStatus.ACTIVE;
                }
                boolean changed = false;
                long version = row.stateVersion();
                if (r.state() != null) {
                    String before = SessionStore.state(c, id);
                    Map<String, Object> state = SessionStore.map(before);
                    if (StateMerge.apply(state, r.state())) {
                        String after = SessionStore.json(state);
                        if (!after.equals(before)) {
                            checkStateSize(after);
                            version++;
                            SessionStore.setState(c, id, after, version);
                            changed = true;
                            if (recordStateChanges) {
                                SessionStore.insertStateChange(c, id, now, version, SessionStore.json(r.state()));
                            }
                            if (hub.hasSubscribers(EVENT_TYPE)) {
                                Map<String, Object> data = new LinkedHashMap<>();
                                data.put("patch", r.state());
                                data.put("stateVersion", version);
                                publish.add(new SessionEvent(null, id, row.app(), EventOrigin.DAEMON,
                                        SessionEvent.STATE_CHANGED, LogLevel.DEBUG, data, Instant.ofEpochMilli(now)));
                            }
                        }
                    }
                }
                for (AppEvent e : r.events()) {
                    Map<String, Object> data = e.data() == null ? Map.of() : e.data();
                    long time = e.time() == null ? now : e.time().toEpochMilli();
                    SessionEvent ev = stored(c, id, row.app(), EventOrigin.APP, e.name(),
                            e.level() == null ? LogLevel.INFO : e.level(), data, time);
                    eventIds.add(ev.eventId());
                    publish.add(ev);
                }
                for (SessionStore.SeriesChunk ch : chunks) {
                    SessionStore.addChunk(c, id, ch);
                }
                SessionStore.touch(c, id, now, r.heartbeat(), r.batch(), points);
                return new Outcome(false, status, status != row.status(), changed, version, eventIds, points, publish);
            });
            if (r.heartbeat() && !o.duplicate()) {
                w.lastBeatNanos = System.nanoTime();
                w.lastBeatWallMs = now;
                w.hung = false;
            }
            for (SessionEvent ev : o.publish()) {
                publish(ev);
            }
            if (o.recovered()) {
                log.info("session {} ({}) recovered after {} ms of silence", id, w.app, silentMs);
            }
            return o;
        } finally {
            w.lock.unlock();
        }
    }

    public SessionEnded end(EndSession in) {
        String id = in.sessionId();
        Live w = live.get(id);
        if (w == null) {
            return alreadyEnded(id);
        }
        w.lock.lock();
        try {
            if (w.done) {
                return alreadyEnded(id);
            }
            long now = System.currentTimeMillis();
            Map<String, Object> data = new LinkedHashMap<>();
            if (in.exitStatus() != null) {
                data.put("exitStatus", in.exitStatus());
            }
            if (in.reason() != null) {
                data.put("reason", in.reason());
            }
            SessionEvent ev = db.write(c -> {
                SessionStore.Row row = SessionStore.row(c, id);
                if (row == null || !row.status().isLive()) {
                    throw notLive(row, id);
                }
                SessionStore.finish(c, id, SessionStatus.ENDED, now, in.exitStatus(), in.reason(), true);
                return stored(c, id, row.app(), EventOrigin.DAEMON, SessionEvent.SESSION_ENDED, LogLevel.INFO, data, now);
            });
            w.done = true;
            live.remove(id, w);
            publish(ev);
            log.info("session {} ({}) ended{}", id, w.app, in.exitStatus() == null ? "" : " with status " + in.exitStatus());
            return new SessionEnded(id, SessionStatus.ENDED, Instant.ofEpochMilli(now), in.exitStatus());
        } finally {
            w.lock.unlock();
        }
    }

    private SessionEnded alreadyEnded(String id) {
        SessionStore.Row row = db.read(c -> SessionStore.row(c, id));
        if (row != null && row.status() == SessionStatus.ENDED) {
            return new SessionEnded(id, row.status(), Instant.ofEpochMilli(row.endedMs()), row.exitStatus());
        }
        throw notLive(row, id);
    }

    // ---- reads ----

    public SessionList list(ListSessions q) {
        Set<SessionStatus> sel = EnumSet.noneOf(SessionStatus.class);
        if (Boolean.TRUE.equals(q.active())) {
            sel.add(SessionStatus.ACTIVE);
            sel.add(SessionStatus.HUNG);
        }
        if (Boolean.TRUE.equals(q.hung())) {
            sel.add(SessionStatus.HUNG);
        }
        if (Boolean.TRUE.equals(q.crashed())) {
            sel.add(SessionStatus.CRASHED);
        }
        if (Boolean.TRUE.equals(q.ended())) {
            sel.add(SessionStatus.ENDED);
        }
        if (sel.isEmpty()) {
            sel = EnumSet.allOf(SessionStatus.class);
        }
        if (Boolean.FALSE.equals(q.active())) {
            sel.remove(SessionStatus.ACTIVE);
            sel.remove(SessionStatus.HUNG);
        }
        if (Boolean.FALSE.equals(q.hung())) {
            sel.remove(SessionStatus.HUNG);
        }
        if (Boolean.FALSE.equals(q.crashed())) {
            sel.remove(SessionStatus.CRASHED);
        }
        if (Boolean.FALSE.equals(q.ended())) {
            sel.remove(SessionStatus.ENDED);
        }
        if (sel.isEmpty()) {
            return new SessionList(List.of());
        }
        List<SessionStatus> statuses = List.copyOf(sel);
        Long since = q.since() == null ? null : q.since().toEpochMilli();
        int limit = q.limit() == null ? 100 : q.limit();
        List<SessionStore.Row> rows = db.read(c -> SessionStore.list(c, q.app(), statuses, since, limit));
        return new SessionList(rows.stream().map(SessionStore.Row::info).toList());
    }

    public SessionDetail get(GetSession q) {
        int events = q.events() == null ? 50 : q.events();
        return db.read(c -> {
            SessionStore.Row row = SessionStore.row(c, q.sessionId());
            if (row == null) {
                throw notFound(q.sessionId());
            }
            Map<String, Object> state = SessionStore.map(SessionStore.state(c, row.id()));
            List<SessionEvent> recent = SessionStore.recentEvents(c, row.id(), row.app(), events);
            List<MetricSeriesInfo> series = SessionStore.series(c, row.id(), null).stream()
                    .map(SessionStore.Series::info).toList();
            return new SessionDetail(row.info(), state, recent, series);
        });
    }

    public MetricSeries queryMetrics(QueryMetrics q) {
        return db.read(c -> {
            SessionStore.Row row = SessionStore.row(c, q.sessionId());
            if (row == null) {
                throw notFound(q.sessionId());
            }
            List<SessionStore.Series> all = SessionStore.series(c, row.id(), q.name());
            List<SessionStore.Series> match = all.stream()
                    .filter(s -> s.info().tags().entrySet().containsAll(q.tags().entrySet())).toList();
            if (match.isEmpty()) {
                Set<String> names = new TreeSet<>();
                SessionStore.series(c, row.id(), null).forEach(s -> names.add(s.info().name()));
                String has = names.isEmpty() ? "it has no metrics yet" : "it has " + String.join(", ", names);
                String tags = q.tags().isEmpty() ? "" : " with tags " + q.tags();
                throw RpcException.notFound("session " + row.id() + " has no metric '" + q.name() + "'" + tags
                        + (all.isEmpty() ? "; " + has : "; the tags of '" + q.name() + "' are "
                        + all.stream().map(s -> s.info().tags().toString()).distinct().toList()));
            }
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (SessionStore.Series s : match) {
                first = Math.min(first, s.info().first().toEpochMilli());
                last = Math.max(last, s.info().last().toEpochMilli());
            }
            long from = q.from() != null ? q.from().toEpochMilli() : first;
            long to = q.to() != null ? q.to().toEpochMilli() : last + 1;
            MetricBuckets.Plan plan = MetricBuckets.plan(from, to, q.intervalMillis(), q.buckets());
            MetricBuckets.Accumulator acc = new MetricBuckets.Accumulator(plan);
            long lo = Math.max(from, plan.start());
            long hi = Math.min(to, plan.end());
            for (SessionStore.Series s : match) {
                SessionStore.chunks(c, s.id(), lo, hi, p -> {
                    long[] t = p.times();
                    double[] v = p.values();
                    for (int i = 0; i < t.length; i++) {
                        if (t[i] >= lo && t[i] < hi) {
                            acc.add(t[i], v[i]);
                        }
                    }
                });
            }
            MetricSeriesInfo info = match.get(0).info();
            return new MetricSeries(row.id(), q.name(), info.kind(), info.unit(), Instant.ofEpochMilli(plan.start()),
                    Instant.ofEpochMilli(plan.end()), plan.interval(), acc.total(), acc.buckets());
        });
    }

    /** Live sessions the monitor watches (for status and tests). */
    public int liveCount() {
        return live.size();
    }

    public Database.Stats storageStats() {
        return db.stats();
    }

    /** How many stored sessions of one app and version are in one status. */
    public record StatusCount(String app, String version, SessionStatus status, long sessions) {
    }

    /**
     * One metric of one app and version, over its live sessions: every series of that name and kind
     * (whatever its tags) folded together.
     *
     * @param points points stored (for COUNTER: increments; the value sum is in {@code sum})
     * @param last   the most recent point's value among those sessions
     */
    public record MetricAggregate(String app, String version, String metric, MetricKind kind, long sessions,
                                  long points, double sum, double last) {
    }

    /** Stored sessions by app, version and status: one pass over the sessions table, for a scrape. */
    public List<StatusCount> statusCounts() {
        return db.read(c -> {
            List<StatusCount> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT app, coalesce(version, ''), status, count(*) "
                    + "FROM sessions GROUP BY app, version, status ORDER BY count(*) DESC, app, version, status");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StatusCount(rs.getString(1), rs.getString(2), SessionStatus.valueOf(rs.getString(3)),
                            rs.getLong(4)));
                }
            }
            return out;
        });
    }

    /**
     * The metrics of live (active or hung) sessions, by app, version, metric name and kind, read from the
     * series' running totals, never from the points: its cost grows with the live series, not the data.
     */
    public List<MetricAggregate> liveMetrics() {
        return db.read(c -> {
            List<MetricAggregate> out = new ArrayList<>();
            // SQLite takes the bare column last_value from the row that gave max(last_ms): the latest point
            try (PreparedStatement ps = c.prepareStatement("SELECT s.app, coalesce(s.version, ''), m.name, m.kind, "
                    + "count(DISTINCT s.id), sum(m.count), sum(m.sum), max(m.last_ms), m.last_value "
                    + "FROM metric_series m JOIN sessions s ON s.id = m.session_id "
                    + "WHERE s.status IN ('ACTIVE', 'HUNG') GROUP BY s.app, s.version, m.name, m.kind "
                    + "ORDER BY count(DISTINCT s.id) DESC, sum(m.count) DESC, s.app, s.version, m.name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new MetricAggregate(rs.getString(1), rs.getString(2), rs.getString(3),
                            MetricKind.valueOf(rs.getString(4)), rs.getLong(5), rs.getLong(6), rs.getDouble(7),
                            rs.getDouble(9)));
                }
            }
            return out;
        });
    }

    // ---- monitoring ----

    private void check() {
        if (closed) {
            return;
        }
        for (Live w : live.values()) {
            try {
                if (!ProcessProbe.alive(w.pid, w.pidStart)) {
                    crashed(w);
                } else if (w.windowMillis > 0) {
                    checkHang(w);
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    log.warn("sessions: checking {} failed: {}", w.id, e.toString());
                }
            }
        }
        if (System.nanoTime() - nextPruneNanos > 0) {
            try {
                prune();
            } catch (RuntimeException e) {
                log.warn("sessions: pruning old sessions failed: {}", e.toString());
            }
        }
    }

    private void crashed(Live w) {
        w.lock.lock();
        try {
            if (w.done) {
                return;
            }
            long now = System.currentTimeMillis();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("pid", w.pid);
            data.put("detectedBy", "process_check");
            data.put("lastHeartbeat", iso(w.lastBeatWallMs));
            if (w.pidStart != null) {
                data.put("processStarted", iso(w.pidStart));
            }
            SessionEvent ev = db.write(c -> {
                SessionStore.Row row = SessionStore.row(c, w.id);
                if (row == null || !row.status().isLive()) {
                    return null;
                }
                SessionStore.finish(c, w.id, SessionStatus.CRASHED, now, null, "process " + w.pid
                        + " ended without ending the session", false);
                return stored(c, w.id, w.app, EventOrigin.DAEMON, SessionEvent.PARENT_PROCESS_CRASHED, LogLevel.ERROR,
                        data, now);
            });
            w.done = true;
            live.remove(w.id, w);
            if (ev != null) {
                publish(ev);
                log.warn("session {} ({}): process {} is gone without ending its session", w.id, w.app, w.pid);
            }
        } finally {
            w.lock.unlock();
        }
    }

    private void checkHang(Live w) {
        long silentNanos = System.nanoTime() - w.lastBeatNanos;
        if (silentNanos < TimeUnit.MILLISECONDS.toNanos(w.windowMillis) || !w.lock.tryLock()) {
            return; // a write holding the lock may be the heartbeat itself: look again next time
        }
        try {
            silentNanos = System.nanoTime() - w.lastBeatNanos;
            if (w.done || w.hung || silentNanos < TimeUnit.MILLISECONDS.toNanos(w.windowMillis)) {
                return;
            }
            long now = System.currentTimeMillis();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("lastHeartbeat", iso(w.lastBeatWallMs));
            data.put("silentForMillis", TimeUnit.NANOSECONDS.toMillis(silentNanos));
            data.put("hangWindowMillis", w.windowMillis);
            data.put("pid", w.pid);
            SessionEvent ev = db.write(c -> {
                SessionStore.Row row = SessionStore.row(c, w.id);
                if (row == null || row.status() != SessionStatus.ACTIVE) {
                    return null;
                }
                SessionStore.markHung(c, w.id, now);
                return stored(c, w.id, w.app, EventOrigin.DAEMON, SessionEvent.APPLICATION_APPEARS_HUNG, LogLevel.WARN,
                        data, now);
            });
            w.hung = true;
            if (ev != null) {
                publish(ev);
                log.warn("session {} ({}) appears hung: no heartbeat for {} ms", w.id, w.app,
                        TimeUnit.NANOSECONDS.toMillis(silentNanos));
            }
        } finally {
            w.lock.unlock();
        }
    }

    private void prune() {
        nextPruneNanos = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
        if (settings.retention().isZero() || settings.retention().isNegative()) {
            return;
        }
        long cutoff = System.currentTimeMillis() - settings.retention().toMillis();
        int n = db.write(c -> SessionStore.prune(c, cutoff));
        if (n > 0) {
            log.info("sessions: removed {} sessions that ended more than {} days ago", n, settings.retention().toDays());
        }
    }

    /**
     * Hands the upstream forwarder what it reads: the stored records behind its cursor. From now on
     * state changes are kept for it and it is told of every event after its commit.
     */
    public SessionFeed feed(java.util.function.Consumer<SessionEvent> onCommitted) {
        this.committed = onCommitted;
        this.recordStateChanges = true;
        return new SessionFeed(db);
    }

    /** Publishes a committed event on the bus and tells the forwarder. */
    private void publish(SessionEvent ev) {
        hub.publish(ev);
        try {
            committed.accept(ev);
        } catch (RuntimeException e) {
            log.warn("sessions: the commit listener failed on {}: {}", ev.name(), e.toString());
        }
    }

    // ---- helpers ----

    /** Stores a daemon or app event and returns it ready to publish. */
    private static SessionEvent stored(java.sql.Connection c, String id, String app, EventOrigin origin, String name,
                                       LogLevel level, Map<String, Object> data, long timeMs) throws java.sql.SQLException {
        String json = SessionStore.json(data);
        if (json.length() > MAX_EVENT_DATA_BYTES) {
            throw RpcException.invalidInput("the data of event '" + name + "' is " + json.length()
                    + " bytes as JSON; the limit is " + MAX_EVENT_DATA_BYTES + ": store large things elsewhere and "
                    + "log a reference");
        }
        long eventId = SessionStore.insertEvent(c, id, timeMs, origin, name, level, json);
        return new SessionEvent(eventId, id, app, origin, name, level, data, Instant.ofEpochMilli(timeMs));
    }

    private static void checkStateSize(String json) {
        if (json.length() > MAX_STATE_BYTES) {
            throw RpcException.invalidInput("the state would be " + json.length() + " bytes as JSON after this "
                    + "update; the limit is " + MAX_STATE_BYTES + " (1 MiB): keep large data out of the state");
        }
    }

    /** Groups single points into series and encodes every series' points as one chunk. */
    static List<SessionStore.SeriesChunk> chunks(Report r) {
        List<SessionStore.SeriesChunk> out = new ArrayList<>();
        if (!r.metrics().isEmpty()) {
            long now = System.currentTimeMillis();
            record Key(String name, MetricKind kind, String unit, Map<String, String> tags) {
            }
            Map<Key, List<Metric>> groups = new LinkedHashMap<>();
            for (Metric m : r.metrics()) {
                Key k = new Key(m.name(), m.kind() == null ? MetricKind.GAUGE : m.kind(), m.unit(), m.tags());
                groups.computeIfAbsent(k, x -> new ArrayList<>()).add(m);
            }
            groups.forEach((k, ms) -> {
                long[] t = new long[ms.size()];
                double[] v = new double[ms.size()];
                for (int i = 0; i < ms.size(); i++) {
                    t[i] = ms.get(i).time() == null ? now : ms.get(i).time().toEpochMilli();
                    v[i] = ms.get(i).value();
                }
                out.add(chunk(k.name(), k.kind(), k.unit(), k.tags(), t, v));
            });
        }
        for (MetricBatch b : r.batches()) {
            if (b.size() > 0) {
                out.add(chunk(b.name(), b.kind() == null ? MetricKind.GAUGE : b.kind(), b.unit(), b.tags(), b.times(),
                        b.values()));
            }
        }
        return out;
    }

    private static SessionStore.SeriesChunk chunk(String name, MetricKind kind, String unit, Map<String, String> tags,
                                                  long[] t, double[] v) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        long tMin = Long.MAX_VALUE;
        long tMax = Long.MIN_VALUE;
        double lastValue = 0;
        for (int i = 0; i < t.length; i++) {
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
            sum += v[i];
            tMin = Math.min(tMin, t[i]);
            if (t[i] >= tMax) {
                tMax = t[i];
                lastValue = v[i];
            }
        }
        return new SessionStore.SeriesChunk(name, kind, unit, tags, MetricChunk.encode(t, v), t.length, tMin, tMax,
                min, max, sum, tMax, lastValue);
    }

    private RpcException notLive(String id) {
        return notLive(db.read(c -> SessionStore.row(c, id)), id);
    }

    private static RpcException notLive(SessionStore.Row row, String id) {
        if (row == null) {
            return notFound(id);
        }
        String when = row.endedMs() == null ? "" : " at " + Instant.ofEpochMilli(row.endedMs());
        String what = row.status() == SessionStatus.CRASHED
                ? "was marked CRASHED" + when + " (" + row.endReason() + ")"
                : "ended" + when + (row.exitStatus() == null ? "" : " with exit status " + row.exitStatus());
        return new RpcException(ErrorCode.CONFLICT, "session " + id + " (" + row.app() + ") " + what
                + "; it takes no more reports: register a new session", Map.of("status", row.status().name()));
    }

    private static RpcException notFound(String id) {
        return new RpcException(ErrorCode.NOT_FOUND, "no session '" + id + "': use the id sessions.register returned "
                + "(`cove sessions list` shows the sessions there are; ended ones are removed after the retention "
                + "period)", Map.of("sessionId", id));
    }

    private static String iso(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms).toString();
    }

    private String newId() {
        StringBuilder sb = new StringBuilder("s-");
        for (int i = 0; i < 10; i++) {
            sb.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Stops the monitor and closes the database (queued writes finish first). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        monitor.shutdownNow();
        try {
            monitor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }
}
