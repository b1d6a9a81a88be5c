package dev.cove.daemon.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.cove.api.events.EventOrigin;
import dev.cove.api.events.LogLevel;
import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.MetricKind;
import dev.cove.api.sessions.MetricSeriesInfo;
import dev.cove.api.sessions.SessionInfo;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.daemon.storage.Migration;
import dev.cove.rpc.codec.Json;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL of the sessions database ({@code {instance_data}/sessions.db}). Every method takes the
 * connection of a transaction the caller holds; nothing here commits.
 */
final class SessionStore {
    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "sessions, events, metric series and chunks",
            """
            CREATE TABLE sessions (
              id                TEXT PRIMARY KEY,
              app               TEXT NOT NULL,
              version           TEXT,
              pid               INTEGER NOT NULL,
              pid_start_ms      INTEGER,
              tags              TEXT NOT NULL DEFAULT '{}',
              status            TEXT NOT NULL,
              started_ms        INTEGER NOT NULL,
              ended_ms          INTEGER,
              exit_status       INTEGER,
              end_reason        TEXT,
              last_heartbeat_ms INTEGER,
              last_seen_ms      INTEGER NOT NULL,
              hung_since_ms     INTEGER,
              hang_window_ms    INTEGER NOT NULL,
              state             TEXT NOT NULL DEFAULT '{}',
              state_version     INTEGER NOT NULL DEFAULT 0,
              event_count       INTEGER NOT NULL DEFAULT 0,
              metric_points     INTEGER NOT NULL DEFAULT 0,
              calls             INTEGER NOT NULL DEFAULT 0,
              last_batch        INTEGER NOT NULL DEFAULT 0
            )""",
            "CREATE INDEX sessions_app ON sessions(app, started_ms)",
            "CREATE INDEX sessions_status ON sessions(status)",
            "CREATE INDEX sessions_started ON sessions(started_ms)",
            "CREATE INDEX sessions_ended ON sessions(ended_ms)",
            """
            CREATE TABLE session_events (
              id         INTEGER PRIMARY KEY AUTOINCREMENT,
              session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
              time_ms    INTEGER NOT NULL,
              origin     TEXT NOT NULL,
              name       TEXT NOT NULL,
              level      TEXT NOT NULL,
              data       TEXT NOT NULL
            )""",
            "CREATE INDEX session_events_session ON session_events(session_id, id)",
            """
            CREATE TABLE metric_series (
              id         INTEGER PRIMARY KEY AUTOINCREMENT,
              session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
              name       TEXT NOT NULL,
              kind       TEXT NOT NULL,
              unit       TEXT NOT NULL,
              tags       TEXT NOT NULL,
              count      INTEGER NOT NULL DEFAULT 0,
              sum        REAL NOT NULL DEFAULT 0,
              min        REAL,
              max        REAL,
              first_ms   INTEGER,
              last_ms    INTEGER,
              last_value REAL,
              UNIQUE (session_id, name, kind, unit, tags)
            )""",
            """
            CREATE TABLE metric_chunks (
              id        INTEGER PRIMARY KEY AUTOINCREMENT,
              series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
              t_min     INTEGER NOT NULL,
              t_max     INTEGER NOT NULL,
              count     INTEGER NOT NULL,
              data      BLOB NOT NULL
            )""",
            "CREATE INDEX metric_chunks_series ON metric_chunks(series_id, t_min)"),
            // upstream forwarding (SessionFeed): where the forwarder stands in each table, what it dropped,
            // and state changes, which only forwarding needs (written only while it is configured)
            Migration.of(2, "upstream cursor and state changes",
                    """
                    CREATE TABLE upstream_cursor (
                      stream  TEXT PRIMARY KEY,
                      last_id INTEGER NOT NULL,
                      dropped INTEGER NOT NULL DEFAULT 0
                    )""",
                    """
                    CREATE TABLE session_state_changes (
                      id         INTEGER PRIMARY KEY AUTOINCREMENT,
                      session_id TEXT NOT NULL,
                      time_ms    INTEGER NOT NULL,
                      version    INTEGER NOT NULL,
                      patch      TEXT NOT NULL
                    )"""));

    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };
    private static final TypeReference<TreeMap<String, String>> TAGS = new TypeReference<>() {
    };
    private static final String SESSION_COLUMNS = "id, app, version, pid, pid_start_ms, tags, status, started_ms, "
            + "ended_ms, exit_status, end_reason, last_heartbeat_ms, last_seen_ms, hung_since_ms, hang_window_ms, "
            + "state_version, event_count, metric_points, calls, last_batch";

    private SessionStore() {
    }

    /** A session's row (without its state, which {@link #state} reads). */
    record Row(String id, String app, String version, long pid, Long pidStart, Map<String, String> tags,
               SessionStatus status, long startedMs, Long endedMs, Integer exitStatus, String endReason,
               Long lastHeartbeatMs, long lastSeenMs, Long hungSinceMs, long hangWindowMs, long stateVersion,
               long events, long metricPoints, long calls, long lastBatch) {
        SessionInfo info() {
            return new SessionInfo(id, app, version, pid, tags, status, Instant.ofEpochMilli(startedMs),
                    instant(endedMs), exitStatus, endReason, instant(lastHeartbeatMs), Instant.ofEpochMilli(lastSeenMs),
                    instant(hungSinceMs), hangWindowMs, stateVersion, events, metricPoints, calls);
        }
    }

    /** Prepared points of one series, encoded before the write transaction. */
    record SeriesChunk(String name, MetricKind kind, String unit, Map<String, String> tags, byte[] blob, int count,
                       long tMin, long tMax, double min, double max, double sum, long lastTime, double lastValue) {
    }

    static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }

    // ---- JSON ----

    static String json(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot store the value as JSON: " + e.getOriginalMessage());
        }
    }

    static LinkedHashMap<String, Object> map(String json) {
        try {
            return json == null ? new LinkedHashMap<>() : Json.MAPPER.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is damaged: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, String> tags(String json) {
        try {
            return json == null ? Map.of() : Collections.unmodifiableMap(Json.MAPPER.readValue(json, TAGS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored tags are damaged: " + e.getOriginalMessage(), e);
        }
    }

    // ---- sessions ----

    static void insertSession(Connection c, Row r, String stateJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sessions (" + SESSION_COLUMNS
                + ", state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            int i = 1;
            ps.setString(i++, r.id());
            ps.setString(i++, r.app());
            ps.setString(i++, r.version());
            ps.setLong(i++, r.pid());
            setLong(ps, i++, r.pidStart());
            ps.setString(i++, json(new TreeMap<>(r.tags())));
            ps.setString(i++, r.status().name());
            ps.setLong(i++, r.startedMs());
            setLong(ps, i++, r.endedMs());
            setInt(ps, i++, r.exitStatus());
            ps.setString(i++, r.endReason());
            setLong(ps, i++, r.lastHeartbeatMs());
            ps.setLong(i++, r.lastSeenMs());
            setLong(ps, i++, r.hungSinceMs());
            ps.setLong(i++, r.hangWindowMs());
            ps.setLong(i++, r.stateVersion());
            ps.setLong(i++, r.events());
            ps.setLong(i++, r.metricPoints());
            ps.setLong(i++, r.calls());
            ps.setLong(i++, r.lastBatch());
            ps.setString(i, stateJson);
            ps.executeUpdate();
        }
    }

    static Row row(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + SESSION_COLUMNS + " FROM sessions WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? readRow(rs) : null;
            }
        }
    }

    static String state(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT state FROM sessions WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static List<Row> liveRows(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + SESSION_COLUMNS
                + " FROM sessions WHERE status IN ('ACTIVE','HUNG') ORDER BY started_ms")) {
            return readRows(ps);
        }
    }

    static List<Row> list(Connection c, String app, List<SessionStatus> statuses, Long sinceMs, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + SESSION_COLUMNS + " FROM sessions WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (app != null) {
            sql.append(" AND app = ?");
            args.add(app);
        }
        if (statuses.size() < SessionStatus.values().length) {
            sql.append(" AND status IN (").append(String.join(",", Collections.nCopies(statuses.size(), "?")))
                    .append(")");
            statuses.forEach(s -> args.add(s.name()));
        }
        if (sinceMs != null) {
            sql.append(" AND (ended_ms IS NULL OR ended_ms >= ?)");
            args.add(sinceMs);
        }
        sql.append(" ORDER BY started_ms DESC, id LIMIT ?");
        args.add(limit);
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            return readRows(ps);
        }
    }

    private static List<Row> readRows(PreparedStatement ps) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(readRow(rs));
            }
        }
        return out;
    }

    private static Row readRow(ResultSet rs) throws SQLException {
        return new Row(rs.getString("id"), rs.getString("app"), rs.getString("version"), rs.getLong("pid"),
                getLong(rs, "pid_start_ms"), tags(rs.getString("tags")), SessionStatus.valueOf(rs.getString("status")),
                rs.getLong("started_ms"), getLong(rs, "ended_ms"), getInt(rs, "exit_status"),
                rs.getString("end_reason"), getLong(rs, "last_heartbeat_ms"), rs.getLong("last_seen_ms"),
                getLong(rs, "hung_since_ms"), rs.getLong("hang_window_ms"), rs.getLong("state_version"),
                rs.getLong("event_count"), rs.getLong("metric_points"), rs.getLong("calls"), rs.getLong("last_batch"));
    }

    /** Counts a call from the application: last seen, calls, and optionally heartbeat, batch and points. */
    static void touch(Connection c, String id, long nowMs, boolean heartbeat, Long batch, long points)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET last_seen_ms = ?, calls = calls + 1, "
                + "last_heartbeat_ms = CASE WHEN ? THEN ? ELSE last_heartbeat_ms END, "
                + "last_batch = COALESCE(?, last_batch), metric_points = metric_points + ? WHERE id = ?")) {
            ps.setLong(1, nowMs);
            ps.setBoolean(2, heartbeat);
            ps.setLong(3, nowMs);
            setLong(ps, 4, batch);
            ps.setLong(5, points);
            ps.setString(6, id);
            ps.executeUpdate();
        }
    }

    /** Keeps a merged state change for the upstream forwarder (SessionFeed reads and deletes these). */
    static void insertStateChange(Connection c, String id, long timeMs, long version, String patchJson)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO session_state_changes (session_id, time_ms, version, patch) VALUES (?,?,?,?)")) {
            ps.setString(1, id);
            ps.setLong(2, timeMs);
            ps.setLong(3, version);
            ps.setString(4, patchJson);
            ps.executeUpdate();
        }
    }

    static void setState(Connection c, String id, String json, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET state = ?, state_version = ? WHERE id = ?")) {
            ps.setString(1, json);
            ps.setLong(2, version);
            ps.setString(3, id);
            ps.executeUpdate();
        }
    }

    static void markHung(Connection c, String id, long sinceMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE sessions SET status = 'HUNG', hung_since_ms = ? WHERE id = ? AND status = 'ACTIVE'")) {
            ps.setLong(1, sinceMs);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    static void markRecovered(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE sessions SET status = 'ACTIVE', hung_since_ms = NULL WHERE id = ? AND status = 'HUNG'")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    /** Ends a live session as ENDED or CRASHED. */
    static void finish(Connection c, String id, SessionStatus status, long endedMs, Integer exitStatus, String reason,
                       boolean countCall) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE sessions SET status = ?, ended_ms = ?, exit_status = ?, "
                + "end_reason = ?, hung_since_ms = NULL, calls = calls + ?, "
                + "last_seen_ms = CASE WHEN ? THEN ? ELSE last_seen_ms END WHERE id = ?")) {
            ps.setString(1, status.name());
            ps.setLong(2, endedMs);
            setInt(ps, 3, exitStatus);
            ps.setString(4, reason);
            ps.setInt(5, countCall ? 1 : 0);
            ps.setBoolean(6, countCall);
            ps.setLong(7, endedMs);
            ps.setString(8, id);
            ps.executeUpdate();
        }
    }

    /** Deletes sessions that ended before {@code cutoffMs}, with their events and metrics. */
    static int prune(Connection c, long cutoffMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM sessions WHERE status IN ('ENDED','CRASHED') AND ended_ms < ?")) {
            ps.setLong(1, cutoffMs);
            return ps.executeUpdate();
        }
    }

    // ---- events ----

    /** Stores an event and counts it on its session. */
    static long insertEvent(Connection c, String sessionId, long timeMs, EventOrigin origin, String name,
                            LogLevel level, String dataJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO session_events (session_id, time_ms, origin, name, "
                + "level, data) VALUES (?,?,?,?,?,?)", PreparedStatement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, sessionId);
            ps.setLong(2, timeMs);
            ps.setString(3, origin.name());
            ps.setString(4, name);
            ps.setString(5, level.name());
            ps.setString(6, dataJson);
            ps.executeUpdate();
            long id;
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                id = rs.getLong(1);
            }
            try (PreparedStatement count = c.prepareStatement(
                    "UPDATE sessions SET event_count = event_count + 1 WHERE id = ?")) {
                count.setString(1, sessionId);
                count.executeUpdate();
            }
            return id;
        }
    }

    /** The last {@code limit} events of a session, oldest first. */
    static List<SessionEvent> recentEvents(Connection c, String sessionId, String app, int limit) throws SQLException {
        List<SessionEvent> out = new ArrayList<>();
        if (limit == 0) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, time_ms, origin, name, level, data FROM session_events "
                + "WHERE session_id = ? ORDER BY id DESC LIMIT ?")) {
            ps.setString(1, sessionId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SessionEvent(rs.getLong(1), sessionId, app, EventOrigin.valueOf(rs.getString(3)),
                            rs.getString(4), LogLevel.valueOf(rs.getString(5)), map(rs.getString(6)),
                            Instant.ofEpochMilli(rs.getLong(2))));
                }
            }
        }
        Collections.reverse(out);
        return out;
    }

    // ---- metrics ----

    static void addChunk(Connection c, String sessionId, SeriesChunk ch) throws SQLException {
        String tagsJson = json(new TreeMap<>(ch.tags()));
        String unit = ch.unit() == null ? "" : ch.unit();
        long seriesId;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO metric_series (session_id, name, kind, unit, tags) "
                + "VALUES (?,?,?,?,?) ON CONFLICT (session_id, name, kind, unit, tags) DO NOTHING")) {
            ps.setString(1, sessionId);
            ps.setString(2, ch.name());
            ps.setString(3, ch.kind().name());
            ps.setString(4, unit);
            ps.setString(5, tagsJson);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM metric_series WHERE session_id = ? AND name = ? "
                + "AND kind = ? AND unit = ? AND tags = ?")) {
            ps.setString(1, sessionId);
            ps.setString(2, ch.name());
            ps.setString(3, ch.kind().name());
            ps.setString(4, unit);
            ps.setString(5, tagsJson);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                seriesId = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE metric_series SET count = count + ?, sum = sum + ?, "
                + "min = MIN(COALESCE(min, ?), ?), max = MAX(COALESCE(max, ?), ?), "
                + "first_ms = MIN(COALESCE(first_ms, ?), ?), "
                + "last_value = CASE WHEN last_ms IS NULL OR ? >= last_ms THEN ? ELSE last_value END, "
                + "last_ms = MAX(COALESCE(last_ms, ?), ?) WHERE id = ?")) {
            int i = 1;
            ps.setLong(i++, ch.count());
            ps.setDouble(i++, ch.sum());
            ps.setDouble(i++, ch.min());
            ps.setDouble(i++, ch.min());
            ps.setDouble(i++, ch.max());
            ps.setDouble(i++, ch.max());
            ps.setLong(i++, ch.tMin());
            ps.setLong(i++, ch.tMin());
            ps.setLong(i++, ch.lastTime());
            ps.setDouble(i++, ch.lastValue());
            ps.setLong(i++, ch.tMax());
            ps.setLong(i++, ch.tMax());
            ps.setLong(i, seriesId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO metric_chunks (series_id, t_min, t_max, count, data) VALUES (?,?,?,?,?)")) {
            ps.setLong(1, seriesId);
            ps.setLong(2, ch.tMin());
            ps.setLong(3, ch.tMax());
            ps.setInt(4, ch.count());
            ps.setBytes(5, ch.blob());
            ps.executeUpdate();
        }
    }

    /** A series row, for get and metrics.query. */
    record Series(long id, MetricSeriesInfo info) {
    }

    static List<Series> series(Connection c, String sessionId, String name) throws SQLException {
        String sql = "SELECT id, name, kind, unit, tags, count, sum, min, max, first_ms, last_ms, last_value "
                + "FROM metric_series WHERE session_id = ?" + (name == null ? "" : " AND name = ?")
                + " ORDER BY name, id";
        List<Series> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, sessionId);
            if (name != null) {
                ps.setString(2, name);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long count = rs.getLong("count");
                    double sum = rs.getDouble("sum");
                    String unit = rs.getString("unit");
                    out.add(new Series(rs.getLong("id"), new MetricSeriesInfo(rs.getString("name"),
                            MetricKind.valueOf(rs.getString("kind")), unit.isEmpty() ? null : unit,
                            tags(rs.getString("tags")), count, Instant.ofEpochMilli(rs.getLong("first_ms")),
                            Instant.ofEpochMilli(rs.getLong("last_ms")), rs.getDouble("last_value"),
                            rs.getDouble("min"), rs.getDouble("max"), count == 0 ? 0 : sum / count, sum)));
                }
            }
        }
        return out;
    }

    /** Feeds every chunk of the series that overlaps {@code [fromMs, toMs)} to {@code sink}. */
    static void chunks(Connection c, long seriesId, long fromMs, long toMs, ChunkSink sink) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT data FROM metric_chunks WHERE series_id = ? "
                + "AND t_min < ? AND t_max >= ? ORDER BY t_min")) {
            ps.setLong(1, seriesId);
            ps.setLong(2, toMs);
            ps.setLong(3, fromMs);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(MetricChunk.decode(rs.getBytes(1)));
                }
            }
        }
    }

    interface ChunkSink {
        void accept(MetricChunk.Points points);
    }

    // ---- helpers ----

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    private static Long getLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static Integer getInt(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }
}
