package dev.cove.daemon.library;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The name table against a brute-force filter of the same names, through adds, removals, merges and paging. */
class NameIndexTest {
    static final String[] WORDS = {"beach", "report", "img", "notes", "été", "日本語", "ab", "x", "data", "scan", "a_s"};

    record Key(String lname, long id) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return NameIndex.compare(lname.getBytes(StandardCharsets.UTF_8), id, o.lname.getBytes(StandardCharsets.UTF_8), o.id);
        }
    }

    static String name(Random r) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            b.append(WORDS[r.nextInt(WORDS.length)]);
            if (r.nextBoolean()) {
                b.append(r.nextBoolean() ? "_" : "-").append(Integer.toString(r.nextInt(500), 36));
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** Every match after {@code after}, paged {@code page} at a time, as the search pages through them. */
    static List<Long> all(NameIndex t, String q, int page) {
        List<Long> out = new ArrayList<>();
        NameIndex.After after = null;
        while (true) {
            NameIndex.Page p = t.find(q.getBytes(StandardCharsets.UTF_8), after, page);
            for (long id : p.ids()) {
                out.add(id);
            }
            if (!p.more()) {
                return out;
            }
            assertEquals(page, p.ids().length, "a page that says more follows is full");
            after = new NameIndex.After(p.lnames()[page - 1], p.ids()[page - 1]);
        }
    }

    static List<Long> brute(TreeMap<Key, Long> live, String q) {
        return live.keySet().stream().filter(k -> k.lname.contains(q)).map(Key::id).toList();
    }

    @Test
    void matchesBruteForceThroughChanges() {
        Random r = new Random(3);
        NameIndex t = NameIndex.detached();
        TreeMap<Key, Long> live = new TreeMap<>();
        List<Key> keys = new ArrayList<>();
        long nextId = 1;
        List<String> queries = List.of("a", "ab", "img", "a_s", "rep", "report", "été", "本語", "_1", "ta_", "zzz", "scan-", "x");
        for (int round = 0; round < 6; round++) {
            for (int i = 0; i < 6_000; i++) {
                String n = name(r);
                Key k = new Key(n, nextId++);
                t.added(k.id, n);
                live.put(k, k.id);
                keys.add(k);
            }
            for (int i = 0; i < 1_500; i++) {
                Key k = keys.remove(r.nextInt(keys.size()));
                t.removed(k.id);
                live.remove(k);
            }
            if (round == 3) {
                t.merge();
            }
            assertEquals(live.size(), t.size());
            for (String q : queries) {
                List<Long> want = brute(live, q);
                assertEquals(want, all(t, q, 1 + r.nextInt(700)), "query " + q + " in round " + round);
            }
        }
        assertFalse(brute(live, "img").isEmpty());
        assertTrue(brute(live, "zzz").isEmpty());
    }

    @Test
    void aRowidGivenAgainToAnotherNameIsThatName() {
        NameIndex t = NameIndex.detached();
        t.added(1, "alpha");
        t.added(2, "beta");
        t.merge();
        t.removed(2);
        t.added(2, "gamma"); // SQLite hands out the largest rowid again after it was deleted
        assertEquals(List.of(), all(t, "bet", 10));
        assertEquals(List.of(2L), all(t, "gam", 10));
        t.removed(2);
        t.added(2, "beta");
        assertEquals(List.of(2L), all(t, "bet", 10));
        t.merge();
        assertEquals(List.of(1L, 2L), all(t, "a", 10));
        assertTrue(Arrays.equals(new long[]{2}, t.find("et".getBytes(StandardCharsets.UTF_8), null, 5).ids()));
    }
}
