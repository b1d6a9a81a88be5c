package dev.cove.daemon.library;

import dev.cove.api.files.DuplicateList;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileKind;
import dev.cove.api.files.FindDuplicates;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;
import dev.cove.api.files.SortField;
import dev.cove.rpc.RpcException;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Runs a {@link SearchFiles}. A substring search sorted by name (the default) walks the in-memory
 * {@link NameIndex} and fetches the page's rows by id; other orders and filters are one SQL query, narrowed by
 * the ids the name table finds for the substring (or a glob's literal run) when they are few, and checked
 * exactly. Paging is by keyset: the cursor holds the last row's sort key and id.
 */
public final class Search {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Search.class);
    private Search() {
    }

    /**
     * Counting stops after this many matches and the total is given as a lower bound: beyond it the count
     * costs more than the page (see "Search totals" in docs/benchmarks.md), and "10000+" says enough.
     */
    public static final int COUNT_CAP = 10_000;

    public static SearchResult run(Library lib, SearchFiles q) throws SQLException {
        long t0 = System.nanoTime();
        SearchResult r = page(lib, q, t0);
        long total;
        if ((q.cursor() == null || q.cursor().isEmpty()) && r.nextCursor() == null) {
            total = r.entries().size(); // the first page is the only one
        } else {
            total = count(lib, q);
        }
        boolean exact = total <= COUNT_CAP;
        return new SearchResult(r.entries(), r.nextCursor(), (System.nanoTime() - t0) / 1000,
                exact ? total : COUNT_CAP, exact);
    }

    /**
     * How many entries match all criteria (ignoring the cursor), up to {@link #COUNT_CAP} + 1. A substring alone
     * is counted in the name table; anything else by SQLite, narrowed by name as {@link #page} does.
     */
    static long count(Library lib, SearchFiles q) throws SQLException {
        String text = q.text() == null || q.text().isEmpty() ? null : q.text().toLowerCase(Locale.ROOT);
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE 1=1").append(filters(q, args));
        boolean tableReady = lib.names.ready();
        if (text != null && tableReady && args.isEmpty()) {
            return lib.names.count(text.getBytes(StandardCharsets.UTF_8), COUNT_CAP);
        }
        String narrowBy = text;
        if (narrowBy == null && q.glob() != null && !q.glob().isEmpty()) {
            String g = q.glob().toLowerCase(Locale.ROOT);
            String lit = Glob.isLiteral(g) ? "" : Glob.longestLiteral(g);
            narrowBy = lit.codePointCount(0, lit.length()) >= 3 ? lit : null;
        }
        if (!narrowByName(lib, narrowBy, tableReady, text, where, args)) {
            return 0;
        }
        String sql = "SELECT count(*) FROM (SELECT 1 FROM entries" + where + " LIMIT " + (COUNT_CAP + 1) + ")";
        return lib.db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                ResultSet rs = ps.executeQuery();
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** One page, its total left to {@link #run}. */
    private static SearchResult page(Library lib, SearchFiles q, long t0) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE 1=1");
        List<Object> args = new ArrayList<>();
        String text = q.text() == null || q.text().isEmpty() ? null : q.text().toLowerCase(Locale.ROOT);
        String globLiteral = null; // a run of literal characters every glob match contains
        if (q.glob() != null && !q.glob().isEmpty()) {
            String g = q.glob().toLowerCase(Locale.ROOT);
            if (Glob.isLiteral(g)) {
                where.append(" AND lname = ?");
                args.add(g);
            } else {
                String lit = Glob.longestLiteral(g);
                if (lit.codePointCount(0, lit.length()) >= 3) {
                    globLiteral = lit;
                }
                where.append(" AND cove_match(?, lname)");
                args.add(g);
            }
        }
        if (q.extensions() != null && !q.extensions().isEmpty()) {
            where.append(" AND ext IN (").append("?,".repeat(q.extensions().size() - 1)).append("?)");
            for (String e : q.extensions()) {
                String x = e == null ? "" : e.strip().toLowerCase(Locale.ROOT);
                args.add(x.startsWith(".") ? x.substring(1) : x);
            }
        }
        if (q.kinds() != null && !q.kinds().isEmpty()) {
            where.append(" AND kind IN (").append("?,".repeat(q.kinds().size() - 1)).append("?)");
            for (FileKind k : q.kinds()) {
                args.add(k.name().toLowerCase(Locale.ROOT));
            }
        }
        if (q.minSize() != null) {
            where.append(" AND size >= ?");
            args.add(q.minSize());
        }
        if (q.maxSize() != null) {
            where.append(" AND size <= ?");
            args.add(q.maxSize());
        }
        if (q.modifiedAfter() != null) {
            where.append(" AND modified >= ?");
            args.add(q.modifiedAfter().toEpochMilli());
        }
        if (q.modifiedBefore() != null) {
            where.append(" AND modified < ?");
            args.add(q.modifiedBefore().toEpochMilli());
        }
        if (q.locationId() != null) {
            where.append(" AND location_id = ?");
            args.add(q.locationId());
        }
        SortField sort = q.sort() == null ? SortField.NAME : q.sort();
        String key = switch (sort) {
            case NAME -> "lname";
            case PATH -> "path";
            case SIZE -> "size";
            case MODIFIED -> "modified";
        };
        boolean numeric = sort == SortField.SIZE || sort == SortField.MODIFIED;
        String cmp = q.descending() ? "<" : ">";
        if (q.cursor() != null && !q.cursor().isEmpty()) {
            Cursor c = Cursor.decode(q.cursor(), sort, q.descending());
            where.append(" AND (").append(key).append(' ').append(cmp).append(" ? OR (").append(key)
                    .append(" = ? AND id ").append(cmp).append(" ?))");
            Object k = numeric ? (Object) Long.parseLong(c.key) : c.key;
            args.add(k);
            args.add(k);
            args.add(c.id);
        }
        String dir = q.descending() ? " DESC" : " ASC";
        int limit = q.limit() == 0 ? 100 : q.limit();
        String order = " ORDER BY " + key + dir + ", id" + dir;
        String columns = "SELECT " + Library.ENTRY_COLUMNS + ", " + key + " AS sort_key";
        boolean tableReady = lib.names.ready();
        // A substring search by name goes through the name table first: it must not pay for the narrowing
        // below (all ids of a common substring, up to NARROW_CAP of them: most of a query's time when it ran
        // first, JFR profile in benchmarks.md), which only the SQL plan uses.
        if (text != null && sort == SortField.NAME && !q.descending() && tableReady) {
            List<Object> filterArgs = new ArrayList<>();
            SearchResult r = byNameTable(lib, q, text, limit, filters(q, filterArgs), filterArgs, t0);
            if (r != null) {
                return r;
            }
        }
        // Narrowing by name through the name table (for the orders it does not serve itself): the ids of every
        // name holding the substring, when there are at most NARROW_CAP; more than that match a common
        // substring, for which walking the sort order and stopping at the first page is the faster plan.
        String narrowBy = text != null ? text : globLiteral;
        if (!narrowByName(lib, narrowBy, tableReady, text, where, args)) {
            return new SearchResult(List.of(), null, (System.nanoTime() - t0) / 1000, 0, true);
        }
        String sql = columns + " FROM entries" + where + order + " LIMIT " + (limit + 1);
        return lib.db.read(c -> page(c, sql, args, limit, sort, q.descending(), t0));
    }

    /** Candidates the name table may offer a filtered search before it leaves the search to SQLite. */
    static final int TABLE_BUDGET = 200_000;

    /**
     * The criteria other than the text as SQL ({@code " AND ..."}), with their arguments in {@code args} (the
     * arguments of {@link #run}'s where clause before the text: the cursor's are dropped, the table handles it).
     */
    private static String filters(SearchFiles q, List<Object> args) {
        StringBuilder w = new StringBuilder();
        List<Object> a = new ArrayList<>();
        if (q.glob() != null && !q.glob().isEmpty()) {
            String g = q.glob().toLowerCase(Locale.ROOT);
            if (Glob.isLiteral(g)) {
                w.append(" AND lname = ?");
            } else {
                w.append(" AND cove_match(?, lname)");
            }
            a.add(g);
        }
        if (q.extensions() != null && !q.extensions().isEmpty()) {
            w.append(" AND ext IN (").append("?,".repeat(q.extensions().size() - 1)).append("?)");
            for (String e : q.extensions()) {
                String x = e == null ? "" : e.strip().toLowerCase(Locale.ROOT);
                a.add(x.startsWith(".") ? x.substring(1) : x);
            }
        }
        if (q.kinds() != null && !q.kinds().isEmpty()) {
            w.append(" AND kind IN (").append("?,".repeat(q.kinds().size() - 1)).append("?)");
            for (FileKind k : q.kinds()) {
                a.add(k.name().toLowerCase(Locale.ROOT));
            }
        }
        if (q.minSize() != null) {
            w.append(" AND size >= ?");
            a.add(q.minSize());
        }
        if (q.maxSize() != null) {
            w.append(" AND size <= ?");
            a.add(q.maxSize());
        }
        if (q.modifiedAfter() != null) {
            w.append(" AND modified >= ?");
            a.add(q.modifiedAfter().toEpochMilli());
        }
        if (q.modifiedBefore() != null) {
            w.append(" AND modified < ?");
            a.add(q.modifiedBefore().toEpochMilli());
        }
        if (q.locationId() != null) {
            w.append(" AND location_id = ?");
            a.add(q.locationId());
        }
        args.clear();
        args.addAll(a);
        return w.toString();
    }

    /**
     * A substring search sorted by name through the in-memory {@link NameIndex}: it yields matching ids in name
     * order, SQLite fetches their rows (checking any other criteria) by primary key. Null when the other
     * criteria reject so many candidates that SQLite's own indexes are the better way.
     */
    private static SearchResult byNameTable(Library lib, SearchFiles q, String text, int limit, String filters,
                                            List<Object> filterArgs, long t0) throws SQLException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        NameIndex.After after = null;
        if (q.cursor() != null && !q.cursor().isEmpty()) {
            Cursor c = Cursor.decode(q.cursor(), SortField.NAME, false);
            after = new NameIndex.After(c.key.getBytes(StandardCharsets.UTF_8), c.id);
        }
        List<FileEntry> out = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        boolean filtered = !filters.isEmpty();
        long offered = 0;
        while (true) {
            int want = limit + 1 - out.size();
            NameIndex.Page p = lib.names.find(needle, after, filtered ? Math.max(want, 1000) : want);
            offered += p.ids().length;
            if (p.ids().length > 0) {
                Map<Long, FileEntry> rows = fetch(lib, p.ids(), filters, filterArgs);
                for (int i = 0; i < p.ids().length && out.size() <= limit; i++) {
                    FileEntry e = rows.get(p.ids()[i]);
                    if (e != null) {
                        out.add(e);
                        keys.add(new String(p.lnames()[i], StandardCharsets.UTF_8));
                    }
                    after = new NameIndex.After(p.lnames()[i], p.ids()[i]);
                }
            }
            if (out.size() > limit || !p.more()) {
                break;
            }
            if (offered > TABLE_BUDGET) {
                return null;
            }
        }
        String next = null;
        if (out.size() > limit) {
            out.remove(limit);
            next = new Cursor(SortField.NAME, false, keys.get(limit - 1), out.get(limit - 1).id()).encode();
        }
        long took = (System.nanoTime() - t0) / 1000;
        if (log.isDebugEnabled()) {
            log.debug("search \"{}\" by the name table: {} rows in {} us", text, out.size(), took);
        }
        return new SearchResult(out, next, took, 0, false);
    }

    /** Rows by id (those still present and meeting {@code filters}). */
    private static Map<Long, FileEntry> fetch(Library lib, long[] ids, String filters, List<Object> args) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(Library.ENTRY_COLUMNS).append(" FROM entries WHERE id IN (");
        for (int i = 0; i < ids.length; i++) {
            sql.append(i == 0 ? "" : ",").append(ids[i]);
        }
        sql.append(')').append(filters);
        return lib.db.readInline(c -> {
            Map<Long, FileEntry> m = new HashMap<>(ids.length * 2);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                ResultSet rs = ps.executeQuery();
                while (rs.next()) {
                    FileEntry e = Library.entry(rs);
                    m.put(e.id(), e);
                }
            }
            return m;
        });
    }

    /** Most ids the name table hands SQLite as an {@code id IN (...)} list; more matches: no narrowing. */
    static final int NARROW_CAP = 20_000;

    /**
     * Adds to {@code where} the name table's ids for {@code narrowBy} (when the table is ready and the matches are
     * few enough to list) and the substring test for {@code text}; false when the table says nothing matches.
     */
    private static boolean narrowByName(Library lib, String narrowBy, boolean tableReady, String text,
                                        StringBuilder where, List<Object> args) {
        if (narrowBy != null && tableReady) {
            long[] ids = lib.names.allMatching(narrowBy.getBytes(StandardCharsets.UTF_8), NARROW_CAP);
            if (ids != null && ids.length == 0) {
                return false;
            }
            if (ids != null) {
                where.append(" AND id IN (");
                for (int i = 0; i < ids.length; i++) {
                    where.append(i == 0 ? "" : ",").append(ids[i]);
                }
                where.append(')');
            }
        }
        if (text != null) {
            where.append(" AND instr(lname, ?) > 0");
            args.add(text);
        }
        return true;
    }

    private static SearchResult page(java.sql.Connection c, String sql, List<Object> args, int limit, SortField sort,
                                     boolean descending, long t0) throws SQLException {
        {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                ResultSet rs = ps.executeQuery();
                List<FileEntry> out = new ArrayList<>();
                String next = null;
                String lastKey = null;
                while (rs.next()) {
                    if (out.size() == limit) {
                        FileEntry last = out.get(out.size() - 1);
                        next = new Cursor(sort, descending, lastKey, last.id()).encode();
                        break;
                    }
                    out.add(Library.entry(rs));
                    lastKey = rs.getString(12);
                }
                return new SearchResult(out, next, (System.nanoTime() - t0) / 1000, 0, false);
            }
        }
    }

    record Cursor(SortField sort, boolean desc, String key, long id) {
        String encode() {
            String raw = sort.name() + "\u0000" + (desc ? "d" : "a") + "\u0000" + id + "\u0000" + key;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String s, SortField sort, boolean desc) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
                String[] p = raw.split("\u0000", 4);
                Cursor c = new Cursor(SortField.valueOf(p[0]), p[1].equals("d"), p[3], Long.parseLong(p[2]));
                if (c.sort != sort || c.desc != desc) {
                    throw RpcException.invalidInput("this cursor belongs to a search sorted by " + c.sort
                            + (c.desc ? " descending" : "") + "; repeat the same search to get its next page");
                }
                return c;
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                throw RpcException.invalidInput("cursor \"" + s + "\" is not one this daemon gave out; start the search again without it");
            }
        }
    }

    public static DuplicateList duplicates(Library lib, FindDuplicates q) throws SQLException {
        int limit = q.limit() == 0 ? 100 : q.limit();
        return lib.db.read(c -> {
            List<DuplicateList.DuplicateGroup> groups = new ArrayList<>();
            long wasted = 0;
            String loc = q.locationId() == null ? "" : " AND location_id = " + q.locationId();
            try (PreparedStatement ps = c.prepareStatement("SELECT content_id, max(size), count(*) AS n FROM entries "
                    + "WHERE content_id IS NOT NULL AND size >= ?" + loc + " GROUP BY content_id HAVING n > 1 "
                    + "ORDER BY (n - 1) * max(size) DESC, content_id LIMIT ?");
                 PreparedStatement paths = c.prepareStatement("SELECT path FROM entries WHERE content_id = ?" + loc
                         + " ORDER BY path")) {
                ps.setLong(1, Math.max(1, q.minSize()));
                ps.setInt(2, limit);
                ResultSet rs = ps.executeQuery();
                while (rs.next()) {
                    String cid = rs.getString(1);
                    long size = rs.getLong(2);
                    paths.setString(1, cid);
                    ResultSet pr = paths.executeQuery();
                    List<String> ps2 = new ArrayList<>();
                    while (pr.next()) {
                        ps2.add(pr.getString(1));
                    }
                    wasted += (ps2.size() - 1) * size;
                    groups.add(new DuplicateList.DuplicateGroup(cid, size, ps2));
                }
            }
            return new DuplicateList(groups, wasted);
        });
    }

    public static FileEntry info(Library lib, String path) throws SQLException {
        return lib.db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + Library.ENTRY_COLUMNS + " FROM entries WHERE path = ?")) {
                ps.setString(1, path);
                ResultSet rs = ps.executeQuery();
                return rs.next() ? Library.entry(rs) : null;
            }
        });
    }

    public static List<FileEntry> children(Library lib, String path) throws SQLException {
        return lib.db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + Library.ENTRY_COLUMNS + " FROM entries WHERE parent = ? "
                    + "AND path <> ? ORDER BY kind <> 'folder', lname, id")) {
                ps.setString(1, path);
                ps.setString(2, path);
                ResultSet rs = ps.executeQuery();
                List<FileEntry> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(Library.entry(rs));
                }
                return out;
            }
        });
    }
}
