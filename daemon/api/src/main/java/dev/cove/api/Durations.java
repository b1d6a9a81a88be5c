package dev.cove.api;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax every Cove option and setting takes ({@code --idle-timeout}, {@code --heap-window},
 * {@code cove.upstream.interval}, {@code cove metrics --every}): {@code 500ms}, {@code 30s}, {@code 10m},
 * {@code 2h}, {@code 1d}, decimals allowed; a bare number is seconds. One parser, so the CLI and the daemon
 * agree on what a duration is.
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

    private Durations() {
    }

    /** True when {@code s} is a duration in this syntax. */
    public static boolean valid(String s) {
        return DURATION.matcher(s.strip().toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * {@code d} in this syntax, in the largest unit that holds it whole: {@code 0}, {@code 500ms}, {@code 90s},
     * {@code 10m}, {@code 2h}, {@code 1d}; {@link #parse} reads it back to the same duration.
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        long[] units = {86_400_000, 3_600_000, 60_000, 1000};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    /**
     * {@code s} as a duration.
     *
     * @param option what is being set, for the message ("--idle-timeout")
     * @throws IllegalArgumentException naming the option and an example when {@code s} is not a duration
     */
    public static Duration parse(String option, String s) {
        Matcher m = DURATION.matcher(s.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " needs a duration such as 30s, 10m or 2h (0 = off), got '"
                    + s + "'");
        }
        double n = Double.parseDouble(m.group(1));
        long unitMillis = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> 1000;
        };
        return Duration.ofMillis((long) (n * unitMillis));
    }
}
