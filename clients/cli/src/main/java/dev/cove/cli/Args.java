package dev.cove.cli;

import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.files.FileNames;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of the CLI's argument types: sizes, times, conflict policies, paths. Bad values are usage errors. */
public final class Args {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern AGO = Pattern.compile("(\\d+)\\s*([smhdw])", Pattern.CASE_INSENSITIVE);

    private Args() {
    }

    /** "512", "10k", "10M", "1.5G", "2GiB", "100MB": binary units (1k = 1024 bytes). */
    public static long size(String s) {
        Matcher m = SIZE.matcher(s.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + s + "' is not a size; use a number with an optional unit: 512, 10k, 10M, 1.5G");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 0;
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 50;
        };
        double v = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
        if (v > Long.MAX_VALUE) {
            throw new IllegalArgumentException("'" + s + "' is too large");
        }
        return (long) v;
    }

    /**
     * A point in time: a date (2026-01-01, local midnight), a local date and time (2026-01-01T09:30), an
     * instant (2026-01-01T09:30:00Z), or a duration back from now (30s, 15m, 12h, 7d, 2w).
     */
    public static Instant time(String s, Instant now) {
        String t = s.strip();
        Matcher m = AGO.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return now.minus(d);
        }
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneId.systemDefault()).toInstant();
            }
            if (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return java.time.OffsetDateTime.parse(t).toInstant();
            }
            return LocalDateTime.parse(t).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + s + "' is not a time; use a date (2026-01-01), a date and time "
                    + "(2026-01-01T09:30) or a duration back from now (30m, 12h, 7d, 2w)");
        }
    }

    /**
     * The arguments as the bytes they were given: the JVM decodes argv with {@code sun.jnu.encoding} and turns a
     * byte that is not UTF-8 into U+FFFD, so a file name such as {@code $'\377\376.txt'} would reach the daemon as
     * another name. When an argument shows that, the program's own argv is read again from /proc/self/cmdline
     * (its last {@code args.length} entries are the program's arguments) into {@link FileNames}' string form.
     * Elsewhere (no /proc) the arguments stay as decoded.
     */
    public static String[] exact(String[] args) {
        boolean lossy = false;
        for (String a : args) {
            for (int i = 0; i < a.length() && !lossy; i++) {
                char c = a.charAt(i);
                lossy = c == '\uFFFD' || FileNames.isByte(c) || (c >= 0x80 && !NATIVE_UTF8);
            }
        }
        if (!lossy) {
            return args;
        }
        byte[] all;
        try {
            all = java.nio.file.Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (java.io.IOException | RuntimeException e) {
            return args;
        }
        List<String> entries = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                entries.add(FileNames.decode(java.util.Arrays.copyOfRange(all, start, i)));
                start = i + 1;
            }
        }
        if (entries.size() < args.length) {
            return args;
        }
        return entries.subList(entries.size() - args.length, entries.size()).toArray(String[]::new);
    }

    private static final boolean NATIVE_UTF8 = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));

    /**
     * An absolute, normalised path in {@link FileNames}' string form; a relative one is taken from {@code cwd} (the
     * folder of the person who typed it, not the JVM's: the CLI may run in the daemon).
     */
    public static String absolute(Path cwd, String p) {
        try {
            String full = p.startsWith("/") ? p : FileNames.of(cwd) + "/" + p;
            return FileNames.of(FileNames.path(full).normalize());
        } catch (InvalidPathException e) {
            throw new CliException(ExitCodes.USAGE, "'" + p + "' is not a valid path: " + e.getReason());
        }
    }

    public static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return size(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    public static final class TimeConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return time(value, Instant.now());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** skip, overwrite, keep-both (also keep_both, KEEP_BOTH) or fail. */
    public static final class ConflictConverter implements ITypeConverter<ConflictPolicy> {
        @Override
        public ConflictPolicy convert(String value) {
            try {
                return ConflictPolicy.valueOf(value.strip().replace('-', '_').toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a conflict policy; use skip, overwrite, "
                        + "keep-both or fail");
            }
        }
    }

    /** Completion candidates for --conflict. */
    public static final class ConflictCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("skip", "overwrite", "keep-both", "fail").iterator();
        }
    }
}
