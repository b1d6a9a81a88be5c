package dev.cove.daemon.library;

import dev.cove.daemon.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * An in-memory name table beside SQLite, for substring search in name order (the order of the
 * {@code entries_lname} index: lower-cased names as UTF-8 bytes, then id).
 *
 * <p>Why not the FTS5 trigram index alone: FTS5 returns its hits in rowid order, so "the first 100 by
 * name" of a common substring means collecting and sorting tens of thousands of rows (p99 181 ms on
 * 1,000,000 entries). Here every name sits at its rank in name order, and each trigram has a posting list of
 * ranks in ascending order (plocate's idea, without its compression): a search intersects the lists of the
 * query's trigrams walking forward from the cursor, checks each candidate's bytes, and stops at the first
 * {@code limit + 1} matches. Common substrings stop after a few hundred postings; rare ones touch only
 * their short lists. Queries under 3 bytes scan names in order (and stop early, as they match often).
 *
 * <p>The table is an immutable {@link Snapshot} plus a small delta (ids added and removed since),
 * kept in step by the writers of {@code entries} (the {@link Indexer}, removal of a location) on the
 * database's writer thread. When the delta grows past half the snapshot it is merged into a new snapshot.
 * About 30 bytes of names and postings per entry per name byte count: ~110 MB for 1,000,000 bench names.
 */
final class NameIndex {
    private static final Logger log = LoggerFactory.getLogger(NameIndex.class);
    private static final Map<Database, NameIndex> BY_DB = Collections.synchronizedMap(new WeakHashMap<>());
    private static final int SEPARATOR = 0; // NUL never occurs in a file name

    private volatile Snapshot snap = Snapshot.build(new byte[0][], new long[0]);
    private volatile boolean ready;
    // the delta, guarded by this
    private final Map<Long, byte[]> added = new HashMap<>();
    private final Set<Long> removed = new HashSet<>();

    static NameIndex of(Database db) {
        return BY_DB.get(db);
    }

    /** Creates the table of {@code db} and loads it from the entries in the background; searches use SQL until then. */
    static NameIndex open(Database db, String label) {
        NameIndex n = new NameIndex(db, label);
        BY_DB.put(db, n);
        n.load();
        return n;
    }

    private final Database db;
    private final String label;

    private NameIndex(Database db, String label) {
        this.db = db;
        this.label = label;
    }

    /**
     * Called when a write that told this table of its changes was rolled back: the delta may now hold rows
     * that do not exist, so searches use SQL until the table is loaded again.
     */
    void reload() {
        ready = false;
        load();
    }

    /** A table on no database, empty and ready: for tests of the search logic alone. */
    static NameIndex detached() {
        NameIndex n = new NameIndex(null, "detached");
        n.ready = true;
        return n;
    }

    private void load() {
        if (db == null) {
            return;
        }
        NameIndex n = this;
        Thread.ofPlatform().daemon().name("name-index-" + label).start(() -> {
            try {
                long t0 = System.nanoTime();
                // on the writer, so that no write slips between the read and the first change recorded
                db.exclusive(c -> {
                    List<byte[]> names = new ArrayList<>();
                    long[] ids = new long[1024];
                    int k = 0;
                    try (PreparedStatement ps = c.prepareStatement("SELECT id, lname FROM entries ORDER BY lname, id")) {
                        ResultSet rs = ps.executeQuery();
                        while (rs.next()) {
                            if (k == ids.length) {
                                ids = Arrays.copyOf(ids, k * 2);
                            }
                            ids[k++] = rs.getLong(1);
                            names.add(rs.getBytes(2));
                        }
                    }
                    synchronized (n) {
                        n.added.clear();
                        n.removed.clear();
                        n.snap = Snapshot.build(names.toArray(new byte[0][]), Arrays.copyOf(ids, k));
                        n.ready = true;
                    }
                    return null;
                });
                log.info("{}: name table of {} entries loaded in {} ms", label, n.snap.size(), (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException e) {
                log.warn("{}: cannot load the name table ({}); searches use the SQLite indexes", label, e.toString());
            }
        });
    }

    boolean ready() {
        return ready;
    }

    int size() {
        synchronized (this) {
            return snap.size() - removed.size() + added.size();
        }
    }

    /** Records rows inserted into {@code entries} (called on the writer thread, inside the transaction). */
    synchronized void added(long id, String lname) {
        byte[] b = lname.getBytes(StandardCharsets.UTF_8);
        if (removed.contains(id) && snap.rankOf(id, b) >= 0) {
            removed.remove(id); // a rowid given again (SQLite reuses the largest after a delete) to the same name
        } else {
            added.put(id, b);
        }
        maybeMerge();
    }

    /** Records a row deleted from {@code entries}. */
    synchronized void removed(long id) {
        if (added.remove(id) == null) {
            removed.add(id);
        }
        maybeMerge();
    }

    private boolean bulk; // guarded by this

    /**
     * While a bulk load runs, the delta is not merged (each merge copies the whole table): searches meanwhile
     * also scan the delta's names, slower but complete; {@link #endBulk} merges once.
     */
    synchronized void beginBulk() {
        bulk = true;
    }

    synchronized void endBulk() {
        bulk = false;
        merge();
    }

    private void maybeMerge() {
        if (!bulk && added.size() + removed.size() > Math.max(50_000, snap.size())) {
            merge();
        }
    }

    /** Folds the delta into a new snapshot. */
    synchronized void merge() {
        if (added.isEmpty() && removed.isEmpty()) {
            return;
        }
        Snapshot s = snap;
        int n = s.size() - removed.size() + added.size();
        byte[][] names = new byte[n][];
        long[] ids = new long[n];
        List<Map.Entry<Long, byte[]>> add = new ArrayList<>(added.entrySet());
        add.sort((a, b) -> compare(a.getValue(), a.getKey(), b.getValue(), b.getKey()));
        int i = 0, j = 0, k = 0;
        while (i < s.size() || j < add.size()) {
            if (i < s.size() && removed.contains(s.ids[i])) {
                i++;
                continue;
            }
            boolean takeSnap = j == add.size() || i < s.size() && compare(s.name(i), s.ids[i], add.get(j).getValue(), add.get(j).getKey()) < 0;
            if (takeSnap) {
                names[k] = s.name(i);
                ids[k++] = s.ids[i++];
            } else {
                names[k] = add.get(j).getValue();
                ids[k++] = add.get(j++).getKey();
            }
        }
        snap = Snapshot.build(k == n ? names : Arrays.copyOf(names, k), k == n ? ids : Arrays.copyOf(ids, k));
        added.clear();
        removed.clear();
    }

    static int compare(byte[] a, long ida, byte[] b, long idb) {
        int c = Arrays.compareUnsigned(a, b);
        return c != 0 ? c : Long.compare(ida, idb);
    }

    /** A position in name order: after ({@code lname}, {@code id}); null key for the start. */
    record After(byte[] lname, long id) {
    }

    /**
     * The ids of up to {@code max} entries whose lower-cased name contains {@code text} (lower-case,
     * non-empty), in name order, starting after {@code after} (null: from the start).
     */
    synchronized Page find(byte[] text, After after, int max) {
        Snapshot s = snap;
        // delta hits first (few), sorted; then merged with the snapshot's in order
        List<Map.Entry<Long, byte[]>> extra = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : added.entrySet()) {
            byte[] n = e.getValue();
            if (indexOf(n, 0, n.length, text) >= 0 && (after == null || compare(n, e.getKey(), after.lname, after.id) > 0)) {
                extra.add(e);
            }
        }
        extra.sort((a, b) -> compare(a.getValue(), a.getKey(), b.getValue(), b.getKey()));
        int from = after == null ? 0 : s.firstAfter(after.lname, after.id);
        Snapshot.Hits hits = s.hits(text, from);
        long[] out = new long[max];
        byte[][] keys = new byte[max][];
        int k = 0, j = 0;
        int r = hits.next();
        while (k < max) {
            while (r >= 0 && removed.contains(s.ids[r])) {
                r = hits.next();
            }
            if (r < 0 && j == extra.size()) {
                break;
            }
            if (j == extra.size() || r >= 0 && compare(s.name(r), s.ids[r], extra.get(j).getValue(), extra.get(j).getKey()) < 0) {
                keys[k] = s.name(r);
                out[k++] = s.ids[r];
                r = hits.next();
            } else {
                keys[k] = extra.get(j).getValue();
                out[k++] = extra.get(j++).getKey();
            }
        }
        boolean more = k == max && (r >= 0 || j < extra.size());
        return new Page(Arrays.copyOf(out, k), Arrays.copyOf(keys, k), more, hits.examined);
    }

    /** How many names contain {@code text} (lower-case, non-empty), counting no further than {@code cap} + 1. */
    synchronized long count(byte[] text, long cap) {
        Snapshot s = snap;
        long n = 0;
        for (Map.Entry<Long, byte[]> e : added.entrySet()) {
            byte[] name = e.getValue();
            if (indexOf(name, 0, name.length, text) >= 0) {
                n++;
            }
        }
        Snapshot.Hits hits = s.hits(text, 0);
        for (int r = hits.next(); r >= 0 && n <= cap; r = hits.next()) {
            if (!removed.contains(s.ids[r])) {
                n++;
            }
        }
        return Math.min(n, cap + 1);
    }

    /** The ids of every name containing {@code text}, in name order; null if more than {@code cap} do. */
    long[] allMatching(byte[] text, int cap) {
        Page p = find(text, null, cap);
        return p.more() ? null : p.ids();
    }

    /** Ids in name order, their names (lower-case UTF-8), whether more matches follow, and postings examined. */
    record Page(long[] ids, byte[][] lnames, boolean more, long examined) {
    }

    static int indexOf(byte[] hay, int from, int to, byte[] needle) {
        int n = needle.length;
        if (n == 0) {
            return from;
        }
        byte first = needle[0];
        int last = to - n;
        outer:
        for (int i = from; i <= last; i++) {
            if (hay[i] != first) {
                continue;
            }
            for (int k = 1; k < n; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Names in order (one byte array, NUL-separated), their ids, and trigram posting lists of ranks. */
    static final class Snapshot {
        final byte[] text;
        final int[] start; // start[r] .. start[r+1]-1 is name r (the separator excluded)
        final long[] ids;
        final int bits;
        final int[] bucketStart; // postings of bucket b: postings[bucketStart[b] .. bucketStart[b+1])
        final int[] postings;

        private Snapshot(byte[] text, int[] start, long[] ids, int bits, int[] bucketStart, int[] postings) {
            this.text = text;
            this.start = start;
            this.ids = ids;
            this.bits = bits;
            this.bucketStart = bucketStart;
            this.postings = postings;
        }

        int size() {
            return ids.length;
        }

        byte[] name(int r) {
            return Arrays.copyOfRange(text, start[r], start[r + 1] - 1);
        }

        static int bucket(byte a, byte b, byte c, int bits) {
            int key = (a & 0xff) << 16 | (b & 0xff) << 8 | (c & 0xff);
            return (key * 0x9E3779B1) >>> (32 - bits);
        }

        static Snapshot build(byte[][] names, long[] ids) {
            int n = ids.length;
            long total = 0;
            for (byte[] b : names) {
                total += b.length + 1;
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("names of " + n + " entries do not fit one table (" + total + " bytes)");
            }
            byte[] text = new byte[(int) total];
            int[] start = new int[n + 1];
            int at = 0;
            for (int r = 0; r < n; r++) {
                start[r] = at;
                System.arraycopy(names[r], 0, text, at, names[r].length);
                at += names[r].length;
                text[at++] = SEPARATOR;
            }
            start[n] = at;
            int bits = n < 20_000 ? 14 : n < 200_000 ? 18 : 20;
            int buckets = 1 << bits;
            int[] count = new int[buckets + 1];
            int[] lastRank = new int[buckets];
            Arrays.fill(lastRank, -1);
            for (int r = 0; r < n; r++) {
                for (int i = start[r], end = start[r + 1] - 1; i + 3 <= end; i++) {
                    int b = bucket(text[i], text[i + 1], text[i + 2], bits);
                    if (lastRank[b] != r) {
                        lastRank[b] = r;
                        count[b + 1]++;
                    }
                }
            }
            for (int b = 0; b < buckets; b++) {
                count[b + 1] += count[b];
            }
            int[] postings = new int[count[buckets]];
            int[] fill = Arrays.copyOf(count, buckets);
            Arrays.fill(lastRank, -1);
            for (int r = 0; r < n; r++) {
                for (int i = start[r], end = start[r + 1] - 1; i + 3 <= end; i++) {
                    int b = bucket(text[i], text[i + 1], text[i + 2], bits);
                    if (lastRank[b] != r) {
                        lastRank[b] = r;
                        postings[fill[b]++] = r;
                    }
                }
            }
            return new Snapshot(text, start, ids, bits, count, postings);
        }

        /** The first rank whose (name, id) sorts after the given ones. */
        int firstAfter(byte[] lname, long id) {
            int lo = 0, hi = size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (compareAt(mid, lname, id) <= 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        private int compareAt(int r, byte[] lname, long id) {
            int c = Arrays.compareUnsigned(text, start[r], start[r + 1] - 1, lname, 0, lname.length);
            return c != 0 ? c : Long.compare(ids[r], id);
        }

        /** The rank of (id, name), or -1 if absent. */
        int rankOf(long id, byte[] lname) {
            int r = firstAfter(lname, id - 1);
            return r < size() && ids[r] == id && compareAt(r, lname, id) == 0 ? r : -1;
        }

        Hits hits(byte[] q, int from) {
            return new Hits(this, q, from);
        }

        /** Ranks from {@code from} on whose name contains {@code q}, ascending. */
        static final class Hits {
            private final Snapshot s;
            private final byte[] q;
            private final int[][] lists; // [start, end) ranges into postings, smallest first; null: scan names
            private final int[] pos;
            private int scan; // next rank when scanning
            long examined;

            Hits(Snapshot s, byte[] q, int from) {
                this.s = s;
                this.q = q;
                if (q.length >= 3 && s.size() > 0) {
                    Set<Integer> seen = new HashSet<>();
                    List<int[]> l = new ArrayList<>();
                    for (int i = 0; i + 3 <= q.length; i++) {
                        int b = bucket(q[i], q[i + 1], q[i + 2], s.bits);
                        if (seen.add(b)) {
                            int lo = lowerBound(s.postings, s.bucketStart[b], s.bucketStart[b + 1], from);
                            l.add(new int[]{lo, s.bucketStart[b + 1]});
                        }
                    }
                    l.sort((a, b) -> Integer.compare(a[1] - a[0], b[1] - b[0]));
                    lists = l.toArray(new int[0][]);
                    pos = new int[lists.length];
                    for (int i = 0; i < lists.length; i++) {
                        pos[i] = lists[i][0];
                    }
                } else {
                    lists = null;
                    pos = null;
                    scan = from;
                }
            }

            /** The next matching rank, or -1. */
            int next() {
                if (lists == null) {
                    while (scan < s.size()) {
                        int r = scan++;
                        examined++;
                        if (indexOf(s.text, s.start[r], s.start[r + 1] - 1, q) >= 0) {
                            return r;
                        }
                    }
                    return -1;
                }
                int[] p = s.postings;
                candidates:
                while (pos[0] < lists[0][1]) {
                    int r = p[pos[0]++];
                    examined++;
                    for (int i = 1; i < lists.length; i++) {
                        int end = lists[i][1];
                        int at = pos[i];
                        if (at < end && p[at] < r) {
                            at = gallop(p, at, end, r);
                        }
                        pos[i] = at;
                        if (at == end) {
                            pos[0] = lists[0][1];
                            return -1;
                        }
                        if (p[at] != r) {
                            continue candidates;
                        }
                    }
                    if (indexOf(s.text, s.start[r], s.start[r + 1] - 1, q) >= 0) {
                        return r;
                    }
                }
                return -1;
            }

            /** The first index in [at, end) holding a value >= target (values ascending). */
            private static int gallop(int[] a, int at, int end, int target) {
                int step = 1;
                int lo = at;
                int hi = at + 1;
                while (hi < end && a[hi] < target) {
                    lo = hi;
                    step <<= 1;
                    hi = at + step;
                }
                return lowerBound(a, lo, Math.min(hi + 1, end), target);
            }

            static int lowerBound(int[] a, int lo, int hi, int target) {
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (a[mid] < target) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                return lo;
            }
        }
    }
}
