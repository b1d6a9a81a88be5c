package dev.cove.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Human-readable times, sizes, durations and tables. */
public final class Format {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private Format() {
    }

    /** "2026-01-31 09:30" in the local time zone; "-" for null. */
    public static String time(Instant t) {
        return t == null ? "-" : LOCAL.format(t.atZone(ZoneId.systemDefault()));
    }

    /** "09:30:12.345" in the local time zone. */
    public static String clock(Instant t) {
        return t == null ? "-" : CLOCK.format(t.atZone(ZoneId.systemDefault()));
    }

    /** "12s ago", "3m 4s ago"; "-" for null. */
    public static String ago(Instant t) {
        return t == null ? "-" : duration(System.currentTimeMillis() - t.toEpochMilli()) + " ago";
    }

    /** "45s", "3m 12s", "2h 5m", "3d 4h". */
    public static String duration(long millis) {
        long s = Math.max(0, millis) / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
    }

    /** "512 B", "12.3 KiB", "85.0 MiB"; "unknown" for a negative size. */
    public static String bytes(long n) {
        if (n < 0) {
            return "unknown";
        }
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Milliseconds with a precision that suits the size: "0.42 ms", "12.3 ms", "1530 ms". */
    public static String millis(long nanos) {
        double ms = nanos / 1e6;
        return String.format(Locale.ROOT, "%." + (ms < 1 ? 2 : ms < 100 ? 1 : 0) + "f ms", ms);
    }

    /** Prints rows as left-aligned columns; the last column is not padded. */
    public static void table(PrintWriter out, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                sb.append(r[i]);
                if (i < cols - 1) {
                    sb.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
