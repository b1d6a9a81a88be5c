package dev.cove.api.sessions;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Input checks shared by the session contracts; each failure is an IllegalArgumentException (INVALID_INPUT). */
final class Checks {
    static final int MAX_NAME = 200;
    static final int MAX_TAGS = 32;
    /** Points before the year 2000 or after 9999 are surely a unit mistake (seconds or nanoseconds for millis). */
    static final long MIN_TIME_MILLIS = 946_684_800_000L;
    static final long MAX_TIME_MILLIS = 253_402_300_799_999L;

    private Checks() {
    }

    static String sessionId(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("sessionId is required: the id sessions.register returned");
        }
        if (id.length() > 100) {
            throw new IllegalArgumentException("sessionId is too long (" + id.length() + " characters); session ids "
                    + "look like s-k3j9x2m4qa");
        }
        return id.strip();
    }

    static String name(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is required and must not be blank");
        }
        if (value.length() > MAX_NAME) {
            throw new IllegalArgumentException(what + " is too long: " + value.length() + " characters (at most "
                    + MAX_NAME + ")");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(what + " '" + value.replaceAll("\\p{Cntrl}", "?")
                        + "' contains a control character");
            }
        }
        return value;
    }

    static String optional(String what, String value) {
        return value == null || value.isBlank() ? null : name(what, value);
    }

    /** A sorted copy of the tags, checked; an absent map becomes empty. */
    static Map<String, String> tags(String what, Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return Map.of();
        }
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException(what + " has " + tags.size() + " tags; at most " + MAX_TAGS + " are allowed");
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        tags.forEach((k, v) -> {
            name(what + " key", k);
            if (v == null) {
                throw new IllegalArgumentException(what + " '" + k + "' has no value; tag values are strings");
            }
            if (v.length() > MAX_NAME) {
                throw new IllegalArgumentException(what + " '" + k + "' is longer than " + MAX_NAME + " characters");
            }
            sorted.put(k, v);
        });
        return java.util.Collections.unmodifiableMap(sorted);
    }

    static Instant time(String what, Instant t) {
        if (t != null && (t.toEpochMilli() < MIN_TIME_MILLIS || t.toEpochMilli() > MAX_TIME_MILLIS)) {
            throw new IllegalArgumentException(what + " " + t + " is outside the years 2000-9999; is it in the wrong unit?");
        }
        return t;
    }

    static long timeMillis(String what, long t) {
        if (t < MIN_TIME_MILLIS || t > MAX_TIME_MILLIS) {
            throw new IllegalArgumentException(what + " " + t + " is not epoch milliseconds between the years 2000 and "
                    + "9999; is it in seconds or nanoseconds?");
        }
        return t;
    }

    static double value(String metric, Double v) {
        if (v == null) {
            throw new IllegalArgumentException("metric '" + metric + "' has no value");
        }
        return finite(metric, v);
    }

    static double finite(String metric, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("metric '" + metric + "' has the value " + v + "; values must be finite numbers");
        }
        return v;
    }
}
