package dev.cove.api.events;

import java.util.Locale;

/** Log levels, least to most severe. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    public static LogLevel parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown log level '" + s + "'; use trace, debug, info, warn or error");
        }
    }
}
