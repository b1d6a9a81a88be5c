package dev.cove.daemon.sessions;

import dev.cove.api.sessions.MetricKind;
import dev.cove.daemon.storage.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the upstream forwarder reads from {@code sessions.db}: the records stored after its cursor, in
 * the order they were committed, and the cursor itself.
 *
 * <p>The sessions database is the forwarder's outbox: nothing is copied into a queue of its own, so
 * whatever an application was told is stored is also what will be forwarded, through restarts,
 * outages and {@code kill -9}. Three streams, each ordered by its table's AUTOINCREMENT id (which
 * SQLite never reuses): metric chunks ({@code metric_chunks}), events ({@code session_events}) and
 * state changes ({@code session_state_changes}). The cursor of a stream moves only after the upstream
 * acknowledged everything up to it, or when the backlog bound drops the oldest records, which are
 * then counted in {@code upstream_cursor.dropped}.
 */
public final class SessionFeed {
    public static final String CHUNKS = "chunks";
    public static final String EVENTS = "events";
    public static final String STATES = "states";

    private final Database db;

    SessionFeed(Database db) {
        this.db = db;
    }

    /** Where the forwarder stands: the last id handed over (or dropped) per stream, and the drops. */
    public record Cursor(long chunks, long events, long states, long droppedPoints, long droppedEvents,
                         long droppedStates) {
        public long dropped() {
            return droppedPoints + droppedEvents + droppedStates;
        }
    }

    /** The session a record belongs to, as the upstream resource needs it. */
    public record SessionRef(String id, String app, String version, Map<String, String> tags) {
    }

    /** One stored metric chunk: the points of one series from one write. */
    public record ChunkRecord(long id, String sessionId, String name, MetricKind kind, String unit,
                              Map<String, String> tags, long[] times, double[] values, int bytes) {
    }

    /** One stored event ({@code data} is JSON). */
    public record EventRecord(long id, String sessionId, long timeMs, String origin, String name, String level,
                              String data) {
    }

    /** One merged state change ({@code patch} is the JSON merge patch that was applied). */
    public record StateRecord(long id, String sessionId, long timeMs, long version, String patch) {
    }

    /**
     * What waits to be forwarded: records (metric points + events + state changes), their stored
     * bytes, and the time of the oldest one (null when nothing waits).
     */
    public record Backlog(long records, long bytes, Long oldestMs, long points, long events, long states) {
    }

    public Cursor cursor() {
        return db.read(SessionFeed::readCursor);
    }

    private static Cursor readCursor(Connection c) throws SQLException {
        long[] last = new long[3];
        long[] dropped = new long[3];
        try (PreparedStatement ps = c.prepareStatement("SELECT stream, last_id, dropped FROM upstream_cursor");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int i = index(rs.getString(1));
                if (i >= 0) {
                    last[i] = rs.getLong(2);
                    dropped[i] = rs.getLong(3);
                }
            }
        }
        return new Cursor(last[0], last[1], last[2], dropped[0], dropped[1], dropped[2]);
    }

    private static int index(String stream) {
        return switch (stream) {
            case CHUNKS -> 0;
            case EVENTS -> 1;
            case STATES -> 2;
            default -> -1;
        };
    }

    public SessionRef session(String id) {
        return db.read(c -> {
            SessionStore.Row r = SessionStore.row(c, id);
            return r == null ? null : new SessionRef(r.id(), r.app(), r.version(), r.tags());
        });
    }

    /** Chunks after {@code afterId}, oldest first, at most {@code maxRows} and about {@code maxPoints} points. */
    public List<ChunkRecord> chunksAfter(long afterId, int maxRows, long maxPoints) {
        return db.read(c -> {
            List<ChunkRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT ch.id, s.session_id, s.name, s.kind, s.unit, "
                    + "s.tags, ch.data FROM metric_chunks ch JOIN metric_series s ON s.id = ch.series_id "
                    + "WHERE ch.id > ? ORDER BY ch.id LIMIT ?")) {
                ps.setLong(1, afterId);
                ps.setInt(2, maxRows);
                long points = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && points < maxPoints) {
                        byte[] blob = rs.getBytes(7);
                        MetricChunk.Points p = MetricChunk.decode(blob);
                        String unit = rs.getString(5);
                        out.add(new ChunkRecord(rs.getLong(1), rs.getString(2), rs.getString(3),
                                MetricKind.valueOf(rs.getString(4)), unit.isEmpty() ? null : unit,
                                SessionStore.tags(rs.getString(6)), p.times(), p.values(), blob.length));
                        points += p.times().length;
                    }
                }
            }
            return out;
        });
    }

    public List<EventRecord> eventsAfter(long afterId, int max) {
        return db.read(c -> {
            List<EventRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, session_id, time_ms, origin, name, level, data "
                    + "FROM session_events WHERE id > ? ORDER BY id LIMIT ?")) {
                ps.setLong(1, afterId);
                ps.setInt(2, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new EventRecord(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7)));
                    }
                }
            }
            return out;
        });
    }

    public List<StateRecord> statesAfter(long afterId, int max) {
        return db.read(c -> {
            List<StateRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, session_id, time_ms, version, patch "
                    + "FROM session_state_changes WHERE id > ? ORDER BY id LIMIT ?")) {
                ps.setLong(1, afterId);
                ps.setInt(2, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StateRecord(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                                rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    /** The upstream acknowledged every chunk up to {@code lastId}. */
    public void ackChunks(long lastId) {
        db.write(c -> {
            advance(c, CHUNKS, lastId, 0);
            return null;
        });
    }

    /** The upstream acknowledged events and state changes up to these ids; forwarded state changes go. */
    public void ackLogs(long lastEventId, long lastStateId) {
        db.write(c -> {
            advance(c, EVENTS, lastEventId, 0);
            advance(c, STATES, lastStateId, 0);
            deleteStates(c, lastStateId);
            return null;
        });
    }

    private static void deleteStates(Connection c, long upTo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM session_state_changes WHERE id <= ?")) {
            ps.setLong(1, upTo);
            ps.executeUpdate();
        }
    }

    private static void advance(Connection c, String stream, long lastId, long dropped) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO upstream_cursor (stream, last_id, dropped) "
                + "VALUES (?, ?, ?) ON CONFLICT (stream) DO UPDATE SET last_id = MAX(last_id, excluded.last_id), "
                + "dropped = dropped + excluded.dropped")) {
            ps.setString(1, stream);
            ps.setLong(2, lastId);
            ps.setLong(3, dropped);
            ps.executeUpdate();
        }
    }

    public Backlog backlog() {
        return db.read(c -> backlog(c, readCursor(c)));
    }

    private static Backlog backlog(Connection c, Cursor cur) throws SQLException {
        long points;
        long bytes;
        Long oldest;
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(count), 0), COALESCE(SUM(LENGTH(data)), 0), "
                + "MIN(t_min) FROM metric_chunks WHERE id > ?")) {
            ps.setLong(1, cur.chunks());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                points = rs.getLong(1);
                bytes = rs.getLong(2);
                oldest = nullable(rs, 3);
            }
        }
        long events;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(LENGTH(data) + LENGTH(name)), 0), "
                + "MIN(time_ms) FROM session_events WHERE id > ?")) {
            ps.setLong(1, cur.events());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                events = rs.getLong(1);
                bytes += rs.getLong(2);
                oldest = min(oldest, nullable(rs, 3));
            }
        }
        long states;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(LENGTH(patch)), 0), MIN(time_ms) "
                + "FROM session_state_changes WHERE id > ?")) {
            ps.setLong(1, cur.states());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                states = rs.getLong(1);
                bytes += rs.getLong(2);
                oldest = min(oldest, nullable(rs, 3));
            }
        }
        return new Backlog(points + events + states, bytes, oldest, points, events, states);
    }

    /** What {@link #enforce} dropped this time. */
    public record Dropped(long points, long events, long states) {
        public long total() {
            return points + events + states;
        }
    }

    /**
     * Bounds the backlog: while it holds more than {@code maxRecords} records or {@code maxBytes} bytes,
     * or its oldest record is older than {@code cutoffMs}, the oldest record of the three streams is
     * dropped (its cursor moves past it and the drop is counted, all in one transaction). A metric chunk
     * is dropped whole, with all its points.
     */
    public Dropped enforce(long maxRecords, long maxBytes, long cutoffMs) {
        return db.write(c -> {
            Cursor cur = readCursor(c);
            Backlog b = backlog(c, cur);
            if (b.records() <= maxRecords && b.bytes() <= maxBytes && (b.oldestMs() == null || b.oldestMs() >= cutoffMs)) {
                return new Dropped(0, 0, 0);
            }
            long records = b.records();
            long bytes = b.bytes();
            long[] last = {cur.chunks(), cur.events(), cur.states()};
            long[] dropped = new long[3];
            Heads heads = new Heads(c, last);
            while (records > 0) {
                Head h = heads.oldest();
                if (h == null) {
                    break;
                }
                boolean tooOld = h.timeMs < cutoffMs;
                if (!tooOld && records <= maxRecords && bytes <= maxBytes) {
                    break;
                }
                heads.take(h);
                last[h.stream] = h.id;
                dropped[h.stream] += h.records;
                records -= h.records;
                bytes -= h.bytes;
            }
            advance(c, CHUNKS, last[0], dropped[0]);
            advance(c, EVENTS, last[1], dropped[1]);
            advance(c, STATES, last[2], dropped[2]);
            deleteStates(c, last[2]);
            return new Dropped(dropped[0], dropped[1], dropped[2]);
        });
    }

    private record Head(int stream, long id, long timeMs, long records, long bytes) {
    }

    /** The next records of each stream past a cursor, read a page at a time. */
    private static final class Heads {
        private static final String[] SQL = {
                "SELECT id, t_min, count, LENGTH(data) FROM metric_chunks WHERE id > ? ORDER BY id LIMIT 512",
                "SELECT id, time_ms, 1, LENGTH(data) + LENGTH(name) FROM session_events WHERE id > ? ORDER BY id LIMIT 512",
                "SELECT id, time_ms, 1, LENGTH(patch) FROM session_state_changes WHERE id > ? ORDER BY id LIMIT 512"};
        private final Connection c;
        private final long[] after;
        @SuppressWarnings("unchecked")
        private final java.util.ArrayDeque<Head>[] pages = new java.util.ArrayDeque[3];

        Heads(Connection c, long[] cursor) {
            this.c = c;
            this.after = cursor.clone();
            for (int i = 0; i < 3; i++) {
                pages[i] = new java.util.ArrayDeque<>();
            }
        }

        Head oldest() throws SQLException {
            Head best = null;
            for (int i = 0; i < 3; i++) {
                if (pages[i].isEmpty()) {
                    fill(i);
                }
                Head h = pages[i].peekFirst();
                if (h != null && (best == null || h.timeMs < best.timeMs)) {
                    best = h;
                }
            }
            return best;
        }

        void take(Head h) {
            pages[h.stream].pollFirst();
            after[h.stream] = h.id;
        }

        private void fill(int stream) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(SQL[stream])) {
                ps.setLong(1, after[stream]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        pages[stream].add(new Head(stream, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
        }
    }

    private static Long nullable(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static Long min(Long a, Long b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : Long.valueOf(Math.min(a, b));
    }
}
