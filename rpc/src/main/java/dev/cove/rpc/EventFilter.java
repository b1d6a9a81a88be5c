package dev.cove.rpc;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A subscription's filter: field name to expected value. Keys may be camelCase or snake_case
 * ({@code library_id} and {@code libraryId} are the same key).
 */
public record EventFilter(Map<String, String> fields) {
    public static final EventFilter NONE = new EventFilter(Map.of());

    public EventFilter {
        Map<String, String> normalized = new LinkedHashMap<>();
        if (fields != null) {
            fields.forEach((k, v) -> {
                if (k != null && v != null) {
                    normalized.put(camelCase(k), v);
                }
            });
        }
        fields = Map.copyOf(normalized);
    }

    public static EventFilter of(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("EventFilter.of takes key/value pairs");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                m.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return new EventFilter(m);
    }

    public String get(String key) {
        return fields.get(key);
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** True when every filter key that names a component of {@code event} equals its value. */
    public boolean matchesComponents(Object event) {
        if (fields.isEmpty() || !event.getClass().isRecord()) {
            return true;
        }
        for (RecordComponent rc : event.getClass().getRecordComponents()) {
            String expected = fields.get(rc.getName());
            if (expected == null) {
                continue;
            }
            try {
                Object actual = rc.getAccessor().invoke(event);
                if (!Objects.equals(expected, actual == null ? null : String.valueOf(actual))) {
                    return false;
                }
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
        return true;
    }

    static String camelCase(String key) {
        if (key.indexOf('_') < 0) {
            return key;
        }
        StringBuilder sb = new StringBuilder(key.length());
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }
}
