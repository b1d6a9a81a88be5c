package dev.cove.cli;

import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.Pong;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileKind;
import dev.cove.api.files.FileList;
import dev.cove.api.files.ListFiles;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@link QuickLane}'s requests and answers, written out by hand for each record. Generic
 * reflection would do it in a few lines, but every record constructor it calls is a method handle of a new
 * shape, and linking those was most of a quick command's time. The rules are {@code Json.MAPPER}'s, and a
 * test holds both to the same JSON: fields by component name, nulls written, missing fields null (0, false),
 * and an unknown field or a null for a primitive refused (IllegalArgumentException), so an answer this CLI
 * does not fully understand goes to the full CLI instead. A component added to a record breaks the build
 * here, at the constructor call.
 */
final class Payloads {
    private Payloads() {
    }

    static Map<String, Object> search(SearchFiles s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("library", s.library());
        m.put("text", s.text());
        m.put("glob", s.glob());
        m.put("extensions", s.extensions());
        m.put("kinds", s.kinds());
        m.put("minSize", s.minSize());
        m.put("maxSize", s.maxSize());
        m.put("modifiedAfter", s.modifiedAfter());
        m.put("modifiedBefore", s.modifiedBefore());
        m.put("locationId", s.locationId());
        m.put("sort", s.sort());
        m.put("descending", s.descending());
        m.put("limit", s.limit());
        m.put("cursor", s.cursor());
        return m;
    }

    static Map<String, Object> list(ListFiles l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("library", l.library());
        m.put("path", l.path());
        return m;
    }

    static DaemonStatus status(Object json) {
        Fields f = new Fields(json, "DaemonStatus");
        DaemonStatus s = new DaemonStatus(f.string("instance"), f.string("version"), f.integer("protocol"),
                f.number("pid"), f.instant("startedAt"), f.number("uptimeMillis"), f.string("socket"),
                f.string("dataDir"), f.string("instanceDataDir"), f.string("logFile"), f.integer("clients"),
                f.integer("methods"), f.integer("subscriptions"), f.number("heapUsedBytes"), f.number("heapMaxBytes"),
                f.number("rssBytes"), f.integer("threads"), f.string("javaVersion"), f.bool("privateInstance"),
                f.number("parentPid"), f.strings("settings"));
        f.noOthers();
        return s;
    }

    static Pong pong(Object json) {
        Fields f = new Fields(json, "Pong");
        Pong p = new Pong(f.string("version"), f.string("instance"), f.number("pid"), f.instant("time"));
        f.noOthers();
        return p;
    }

    static SearchResult searchResult(Object json) {
        Fields f = new Fields(json, "SearchResult");
        SearchResult r = new SearchResult(entries(f.list("entries")), f.string("nextCursor"), f.number("tookMicros"),
                f.number("total"), f.bool("totalExact"));
        f.noOthers();
        return r;
    }

    static FileList fileList(Object json) {
        Fields f = new Fields(json, "FileList");
        FileList l = new FileList(f.string("path"), entries(f.list("entries")));
        f.noOthers();
        return l;
    }

    private static List<FileEntry> entries(List<?> json) {
        if (json == null) {
            return null;
        }
        List<FileEntry> out = new ArrayList<>(json.size());
        for (Object o : json) {
            out.add(entry(o));
        }
        return out;
    }

    static FileEntry entry(Object json) {
        if (json == null) {
            return null;
        }
        Fields f = new Fields(json, "FileEntry");
        String kind = f.string("kind");
        FileEntry e = new FileEntry(f.number("id"), f.number("locationId"), f.string("path"), f.string("name"),
                f.string("extension"), kind == null ? null : FileKind.valueOf(kind), f.number("size"),
                f.instant("modified"), f.instant("created"), f.number("inode"), f.string("contentId"));
        f.noOthers();
        return e;
    }

    /** One JSON object's fields, counting those read, so that an unknown one shows. */
    private static final class Fields {
        private final Map<?, ?> map;
        private final String type;
        private int read;

        Fields(Object json, String type) {
            if (!(json instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(type + " is not a JSON object");
            }
            this.map = m;
            this.type = type;
        }

        private Object get(String name) {
            if (map.containsKey(name)) {
                read++;
            }
            return map.get(name);
        }

        String string(String name) {
            Object v = get(name);
            if (v == null || v instanceof String) {
                return (String) v;
            }
            throw wrong(name, v);
        }

        Instant instant(String name) {
            String s = string(name);
            return s == null ? null : Payloads.instant(s);
        }

        List<?> list(String name) {
            Object v = get(name);
            if (v == null || v instanceof List<?>) {
                return (List<?>) v;
            }
            throw wrong(name, v);
        }

        Map<String, String> strings(String name) {
            Object v = get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw wrong(name, v);
            }
            Map<String, String> out = new LinkedHashMap<>();
            m.forEach((k, value) -> {
                if (!(value instanceof String s)) {
                    throw wrong(name + "." + k, value);
                }
                out.put(String.valueOf(k), s);
            });
            return out;
        }

        long number(String name) {
            boolean present = map.containsKey(name);
            Object v = get(name);
            if (!present) {
                return 0;
            }
            if (v instanceof Long l) {
                return l;
            }
            throw wrong(name, v);
        }

        int integer(String name) {
            long l = number(name);
            if (l != (int) l) {
                throw wrong(name, l);
            }
            return (int) l;
        }

        boolean bool(String name) {
            boolean present = map.containsKey(name);
            Object v = get(name);
            if (!present) {
                return false;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            throw wrong(name, v);
        }

        void noOthers() {
            if (read != map.size()) {
                throw new IllegalArgumentException(type + " has a field this CLI does not know");
            }
        }

        private IllegalArgumentException wrong(String name, Object v) {
            return new IllegalArgumentException(type + "." + name + " cannot be " + v);
        }
    }

    private static final int[] NANOS_PER_DIGITS = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100,
            10, 1};

    /**
     * {@code Instant.parse(s)}, by hand for the form the daemon writes ({@code Instant.toString}: 2026-12-06T18:05:12Z
     * with 0-9 fraction digits): the first {@code Instant.parse} sets up DateTimeFormatter's parsing, several ms
     * of a quick command that decodes times (ls, search, status). Any other form, and any value it would refuse,
     * goes to {@code Instant.parse} itself.
     */
    static Instant instant(String s) {
        int n = s.length();
        if (n >= 20 && n <= 30 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T' && s.charAt(13) == ':'
                && s.charAt(16) == ':' && s.charAt(n - 1) == 'Z' && (n == 20 || s.charAt(19) == '.' && n >= 22)) {
            int y = digits(s, 0, 4);
            int mo = digits(s, 5, 2);
            int d = digits(s, 8, 2);
            int h = digits(s, 11, 2);
            int mi = digits(s, 14, 2);
            int sec = digits(s, 17, 2);
            int fraction = n == 20 ? 0 : digits(s, 20, n - 21);
            int monthDays = mo == 2 ? (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : 28)
                    : mo == 4 || mo == 6 || mo == 9 || mo == 11 ? 30 : 31;
            if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= monthDays && h >= 0 && h <= 23 && mi >= 0 && mi <= 59
                    && sec >= 0 && sec <= 59 && fraction >= 0) {
                // days since 1970-01-01 of the proleptic Gregorian date (LocalDate.toEpochDay's first use
                // initialises java.time.Year, whose static parser sets up DateTimeFormatter after all)
                int ys = mo <= 2 ? y - 1 : y;
                long era = Math.floorDiv(ys, 400);
                long yoe = ys - era * 400;
                long doy = (153L * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
                long days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
                return Instant.ofEpochSecond(days * 86_400 + h * 3_600L + mi * 60L + sec,
                        n == 20 ? 0 : (long) fraction * NANOS_PER_DIGITS[n - 21]);
            }
        }
        return Instant.parse(s);
    }

    /** The decimal number in s[from, from+count), or -1 if any of those is not a digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int k = from; k < from + count; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
