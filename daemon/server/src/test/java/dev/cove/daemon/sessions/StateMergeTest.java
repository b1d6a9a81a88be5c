package dev.cove.daemon.sessions;

import dev.cove.api.sessions.StateMerge;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateMergeTest {
    private static Map<String, Object> m(Object... kv) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], kv[i + 1]);
        }
        return out;
    }

    private static Map<String, Object> n(Map<String, ?> map) {
        return StateMerge.normalize(map, "test");
    }

    @Test
    void nestedObjectsMergeAndKeepTheirSiblings() {
        Map<String, Object> state = n(m("window", m("open", List.of("w1"), "active", "w1"), "memory", m("mb", 50)));
        assertTrue(StateMerge.apply(state, n(m("window", m("open", List.of("w1", "w2"))))));
        assertEquals(n(m("window", m("open", List.of("w1", "w2"), "active", "w1"), "memory", m("mb", 50))), state);
        assertTrue(StateMerge.apply(state, n(m("memory", m("mb", 75)))));
        assertEquals(n(m("window", m("open", List.of("w1", "w2"), "active", "w1"), "memory", m("mb", 75))), state);
    }

    @Test
    void arraysAndScalarsReplaceWholesale() {
        Map<String, Object> state = n(m("tabs", List.of(1, 2, 3), "title", "a"));
        StateMerge.apply(state, n(m("tabs", List.of(9), "title", "b")));
        assertEquals(n(m("tabs", List.of(9), "title", "b")), state);
        // an object replaces a scalar, and a scalar replaces an object
        StateMerge.apply(state, n(m("title", m("text", "c"), "tabs", 4)));
        assertEquals(n(m("tabs", 4, "title", m("text", "c"))), state);
    }

    @Test
    void nullDeletesAtAnyDepthAndNeverStoresNulls() {
        Map<String, Object> state = n(m("a", m("b", 1, "c", 2), "d", 3));
        assertTrue(StateMerge.apply(state, n(m("a", m("b", null), "d", null))));
        assertEquals(n(m("a", m("c", 2))), state);
        assertFalse(StateMerge.apply(state, n(m("missing", null))), "deleting a missing key changes nothing");
        // a new object from a patch keeps none of its null members
        StateMerge.apply(state, n(m("x", m("y", null, "z", 1))));
        assertEquals(n(m("a", m("c", 2), "x", m("z", 1))), state);
    }

    @Test
    void unchangedUpdatesAreDetected() {
        Map<String, Object> state = n(m("a", m("b", List.of(1, 2)), "n", 1));
        assertFalse(StateMerge.apply(state, n(m("a", m("b", List.of(1, 2))))));
        assertFalse(StateMerge.apply(state, n(m("n", 1L))), "1 and 1L are the same number after normalizing");
        assertTrue(StateMerge.apply(state, n(m("n", 1.5))));
    }

    @Test
    void diffIsTheSmallestPatchBetweenTwoStates() {
        Map<String, Object> from = n(m("a", m("b", 1, "c", 2), "d", List.of(1), "e", "x"));
        Map<String, Object> to = n(m("a", m("b", 1, "c", 3), "d", List.of(1), "f", m()));
        Map<String, Object> patch = StateMerge.diff(from, to);
        assertEquals(n(m("a", m("c", 3), "f", m(), "e", null)), patch);
        assertEquals(to, StateMerge.merged(from, patch));
        assertTrue(StateMerge.diff(to, to).isEmpty());
    }

    @Test
    void diffHandlesDeleteThenRecreateWhichSequentialPatchesCannotFold() {
        // {a:null} then {a:{c:2}} is not the same as the folded patch {a:{c:2}}; a diff of states is
        Map<String, Object> base = n(m("a", m("b", 1)));
        Map<String, Object> mine = StateMerge.merged(base, Map.of());
        StateMerge.apply(mine, n(m("a", null)));
        StateMerge.apply(mine, n(m("a", m("c", 2))));
        Map<String, Object> patch = StateMerge.diff(base, mine);
        assertEquals(mine, StateMerge.merged(base, patch));
        assertEquals(n(m("a", m("c", 2))), mine);
    }

    @Test
    void normalizeConvertsFriendlyTypesAndRefusesOthers() {
        Map<String, Object> in = new HashMap<>();
        in.put("i", 3);
        in.put("f", 1.5f);
        in.put("arr", new int[]{1, 2});
        in.put("set", new ArrayList<>(List.of("x")));
        in.put("when", Instant.parse("2026-01-02T03:04:05Z"));
        in.put("enum", Thread.State.NEW);
        Map<String, Object> out = n(in);
        assertEquals(3L, out.get("i"));
        assertEquals(1.5, out.get("f"));
        assertEquals(List.of(1L, 2L), out.get("arr"));
        assertEquals("2026-01-02T03:04:05Z", out.get("when"));
        assertEquals("NEW", out.get("enum"));
        var e = assertThrows(IllegalArgumentException.class, () -> n(m("w", m("file", new java.io.File("/x")))));
        assertTrue(e.getMessage().contains("test.w.file") && e.getMessage().contains("java.io.File"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> n(m("nan", Double.NaN)));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
        Map<Object, Object> badKey = new HashMap<>();
        badKey.put(1, "x");
        e = assertThrows(IllegalArgumentException.class, () -> n(m("k", badKey)));
        assertTrue(e.getMessage().contains("keys must be strings"), e.getMessage());
    }

    @Test
    void deepNestingIsRefused() {
        Map<String, Object> deep = m();
        Map<String, Object> cur = deep;
        for (int i = 0; i < 40; i++) {
            Map<String, Object> next = m();
            cur.put("k", next);
            cur = next;
        }
        var e = assertThrows(IllegalArgumentException.class, () -> n(deep));
        assertTrue(e.getMessage().contains("nested more than"), e.getMessage());
    }
}
