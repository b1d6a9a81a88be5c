package dev.cove.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;

/** Human-readable sizes, durations and tables. */
public final class Format {
    /** Made on first use: parsing a pattern costs a quick command that prints no time a few ms. */
    private static final class Patterns {
        static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
        static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    }

    private Format() {
    }

    /**
     * "2026-01-31 09:30" in the local time zone; "-" for null. What {@code ofPattern("yyyy-MM-dd HH:mm")} prints
     * for the instant in {@code ZoneId.systemDefault()}, written out with the offset {@link TimeZone} gives: that
     * zone's rules come from the same tzdb.dat, while java.time's ZoneRulesProvider reads and indexes the file a
     * second time (~10 ms of every `cove ls` and `cove search`). Only from 1900 to 2037: outside, TimeZone's
     * table and java.time's rules may differ (before the first transition, after the years TimeZone lists).
     */
    public static String time(Instant t) {
        if (t == null) {
            return "-";
        }
        if (t.getEpochSecond() < -2_208_902_400L || t.getEpochSecond() >= 2_145_830_400L) { // 1900-01-02, 2037-12-31
            return Patterns.LOCAL.format(t.atZone(ZoneId.systemDefault()));
        }
        try {
            int offset = TimeZone.getDefault().getOffset(t.toEpochMilli());
            if (offset % 1000 == 0) {
                LocalDateTime l = LocalDateTime.ofEpochSecond(t.getEpochSecond() + offset / 1000, t.getNano(),
                        ZoneOffset.UTC);
                if (l.getYear() >= 0 && l.getYear() <= 9999) {
                    StringBuilder sb = new StringBuilder(16);
                    pad(sb, l.getYear(), 4).append('-');
                    pad(sb, l.getMonthValue(), 2).append('-');
                    pad(sb, l.getDayOfMonth(), 2).append(' ');
                    pad(sb, l.getHour(), 2).append(':');
                    return pad(sb, l.getMinute(), 2).toString();
                }
            }
        } catch (ArithmeticException e) {
            // beyond a long of milliseconds: as java.time prints it
        }
        return Patterns.LOCAL.format(t.atZone(ZoneId.systemDefault()));
    }

    /**
     * {@code t.toString()} (ISO-8601 in UTC, the fraction in groups of three digits), written out for the years
     * 0-9999: Instant.toString formats through DateTimeFormatter, whose first use costs a quick command a few ms.
     */
    public static String iso(Instant t) {
        LocalDateTime l = t.getEpochSecond() >= -62_167_219_200L && t.getEpochSecond() < 253_402_300_800L // 0000, 10000
                ? LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC) : null;
        if (l == null) {
            return t.toString();
        }
        StringBuilder sb = new StringBuilder(30);
        pad(sb, l.getYear(), 4).append('-');
        pad(sb, l.getMonthValue(), 2).append('-');
        pad(sb, l.getDayOfMonth(), 2).append('T');
        pad(sb, l.getHour(), 2).append(':');
        pad(sb, l.getMinute(), 2).append(':');
        pad(sb, l.getSecond(), 2);
        int nano = t.getNano();
        if (nano != 0) {
            sb.append('.');
            if (nano % 1_000_000 == 0) {
                pad(sb, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                pad(sb, nano / 1_000, 6);
            } else {
                pad(sb, nano, 9);
            }
        }
        return sb.append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int k = s.length(); k < width; k++) {
            sb.append('0');
        }
        return sb.append(s);
    }

    /** "09:30:12.345" in the local time zone. */
    public static String clock(Instant t) {
        return t == null ? "-" : Patterns.CLOCK.format(t.atZone(ZoneId.systemDefault()));
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
        return fixed(v, 1) + " " + units[u];
    }

    /** Milliseconds with a precision that suits the size: "0.42 ms", "12.3 ms", "1530 ms". */
    public static String millis(long nanos) {
        double ms = nanos / 1e6;
        return fixed(ms, ms < 1 ? 2 : ms < 100 ? 1 : 0) + " ms";
    }

    /**
     * {@code String.format(Locale.ROOT, "%.Nf", v)} for a finite, non-negative v: the shortest decimal that
     * names the double (Double.toString), rounded half up, as Formatter does. Written out because Formatter's
     * first use loads the locale machinery, a tenth of a quick command's time (docs/cli.md); and on the digits
     * of Double.toString, not BigDecimal, whose static initialiser costs ~10 ms in the interpreter.
     */
    public static String fixed(double v, int decimals) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        String s = Double.toString(v); // "123.456" or "1.0E-5" / "1.23E10"
        int e = s.indexOf('E');
        String mantissa = e < 0 ? s : s.substring(0, e);
        int dot = mantissa.indexOf('.');
        StringBuilder d = new StringBuilder(mantissa.length()).append(mantissa, 0, dot).append(mantissa, dot + 1,
                mantissa.length());
        int point = dot + (e < 0 ? 0 : Integer.parseInt(s.substring(e + 1))); // digits before the decimal point
        while (point <= 0) {
            d.insert(0, '0');
            point++;
        }
        int cut = point + decimals;
        while (d.length() <= cut) {
            d.append('0');
        }
        boolean up = d.charAt(cut) >= '5'; // half up: the first digit dropped decides
        d.setLength(cut);
        if (up) {
            int k = cut - 1;
            while (k >= 0 && d.charAt(k) == '9') {
                d.setCharAt(k--, '0');
            }
            if (k < 0) {
                d.insert(0, '1');
                point++;
            } else {
                d.setCharAt(k, (char) (d.charAt(k) + 1));
            }
        }
        int lead = 0;
        while (lead < point - 1 && d.charAt(lead) == '0') {
            lead++;
        }
        return decimals == 0 ? d.substring(lead, point) : d.substring(lead, point) + "." + d.substring(point);
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
