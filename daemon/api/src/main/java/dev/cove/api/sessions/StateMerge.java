package dev.cove.api.sessions;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session state as plain data (maps, lists, strings, numbers, booleans) and the deep merge that
 * {@code sessions.state.update} applies. The daemon and the client library use this same code, so a
 * client can tell before sending whether an update changes anything.
 *
 * <p>Merge rules, applied key by key: a {@code null} value deletes the key; an object merges into an
 * object already there; anything else (a scalar, an array, an object where there was no object)
 * replaces what was there. Arrays are never merged element by element.
 */
public final class StateMerge {
    /** Values nested deeper than this are refused. */
    public static final int MAX_DEPTH = 32;

    private StateMerge() {
    }

    /**
     * A deep copy of {@code value} made of LinkedHashMap, ArrayList, String, Long, Double, BigInteger and
     * Boolean, keeping null values (which mean "delete" in a patch). Integral numbers become Long and
     * floating ones Double, so equal values compare equal whatever type the caller used; enums, UUIDs
     * and java.time values become strings.
     *
     * @throws IllegalArgumentException for anything else (naming where it was), non-string keys,
     *                                  non-finite numbers or nesting deeper than {@link #MAX_DEPTH}
     */
    public static Map<String, Object> normalize(Map<String, ?> value, String what) {
        if (value == null) {
            return null;
        }
        return normalizeMap(value, what, 0);
    }

    private static Map<String, Object> normalizeMap(Map<?, ?> m, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(path + " is nested more than " + MAX_DEPTH + " levels deep");
        }
        Map<String, Object> out = new LinkedHashMap<>(Math.max(4, m.size() * 2));
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object k = e.getKey();
            if (!(k instanceof CharSequence)) {
                throw new IllegalArgumentException(path + " has the key " + k + " of type "
                        + (k == null ? "null" : k.getClass().getName()) + "; keys must be strings");
            }
            String key = k.toString();
            out.put(key, normalizeValue(e.getValue(), path + "." + key, depth + 1));
        }
        return out;
    }

    private static Object normalizeValue(Object v, String path, int depth) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof AtomicInteger
                || v instanceof AtomicLong) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(path + " is " + d + "; numbers must be finite");
            }
            return d;
        }
        if (v instanceof BigInteger bi) {
            return bi.bitLength() < 64 ? (Object) bi.longValue() : bi;
        }
        if (v instanceof CharSequence || v instanceof Character || v instanceof Enum<?> || v instanceof UUID
                || v instanceof java.time.temporal.TemporalAccessor || v instanceof java.time.Duration) {
            return v instanceof Enum<?> en ? en.name() : v.toString();
        }
        if (v instanceof Map<?, ?> m) {
            return normalizeMap(m, path, depth);
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(path + " is nested more than " + MAX_DEPTH + " levels deep");
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            int i = 0;
            for (Object o : c) {
                out.add(normalizeValue(o, path + "[" + i++ + "]", depth + 1));
            }
            return out;
        }
        if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            List<Object> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(normalizeValue(Array.get(v, i), path + "[" + i + "]", depth + 1));
            }
            return out;
        }
        throw new IllegalArgumentException(path + " is a " + v.getClass().getName() + "; state and event data take "
                + "strings, numbers, booleans, lists and maps (convert other values yourself)");
    }

    /**
     * Applies {@code patch} to {@code target} in place and says whether anything changed. {@code target}
     * must be mutable all the way down (as {@link #normalize} and this method build it); values taken
     * from the patch are copied, so the patch can be reused.
     */
    @SuppressWarnings("unchecked")
    public static boolean apply(Map<String, Object> target, Map<String, ?> patch) {
        boolean changed = false;
        for (Map.Entry<String, ?> e : patch.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (value == null) {
                if (target.containsKey(key)) {
                    target.remove(key);
                    changed = true;
                }
                continue;
            }
            Object existing = target.get(key);
            if (value instanceof Map<?, ?> pm && existing instanceof Map<?, ?>) {
                changed |= apply((Map<String, Object>) existing, (Map<String, ?>) pm);
                continue;
            }
            Object copy = copyWithoutNulls(value);
            if (!target.containsKey(key) || !Objects.equals(existing, copy)) {
                target.put(key, copy);
                changed = true;
            }
        }
        return changed;
    }

    /** {@code base} merged with {@code patch}, as a new map; neither argument is changed. */
    public static Map<String, Object> merged(Map<String, ?> base, Map<String, ?> patch) {
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = base == null ? new LinkedHashMap<>() : (Map<String, Object>) copyWithoutNulls(base);
        if (patch != null) {
            apply(copy, patch);
        }
        return copy;
    }

    /**
     * The smallest merge patch that turns {@code from} into {@code to} (neither holding null map
     * values): {@code merged(from, diff(from, to))} equals {@code to}. Empty when they are equal.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> diff(Map<String, ?> from, Map<String, ?> to) {
        Map<String, Object> patch = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : to.entrySet()) {
            String key = e.getKey();
            Object now = e.getValue();
            if (!from.containsKey(key)) {
                patch.put(key, copyWithoutNulls(now));
                continue;
            }
            Object before = from.get(key);
            if (before instanceof Map<?, ?> bm && now instanceof Map<?, ?> nm) {
                Map<String, Object> sub = diff((Map<String, ?>) bm, (Map<String, ?>) nm);
                if (!sub.isEmpty()) {
                    patch.put(key, sub);
                }
            } else if (!Objects.equals(before, now)) {
                patch.put(key, copyWithoutNulls(now));
            }
        }
        for (String key : from.keySet()) {
            if (!to.containsKey(key)) {
                patch.put(key, null);
            }
        }
        return patch;
    }

    /** A deep, mutable copy in which maps hold no null values (a state never stores a deleted key). */
    public static Object copyWithoutNulls(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>(Math.max(4, m.size() * 2));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getValue() != null) {
                    out.put(String.valueOf(e.getKey()), copyWithoutNulls(e.getValue()));
                }
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(o instanceof Map<?, ?> || o instanceof List<?> ? copyWithoutNulls(o) : o);
            }
            return out;
        }
        return v;
    }
}
