package dev.cove.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.Cove;
import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileKind;
import dev.cove.api.files.FileList;
import dev.cove.api.files.ListFiles;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;
import dev.cove.api.files.SortField;
import dev.cove.rpc.Requests;
import dev.cove.rpc.codec.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The quick lane's hand-written JSON and constants agree with what the full CLI and the daemon use. */
class QuickLaneTest {
    private static Object plain(Object record) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(record);
        Object mine = JsonReader.parse(json, 0, json.length);
        assertEquals(jackson(new String(json, java.nio.charset.StandardCharsets.UTF_8)), mine);
        return mine;
    }

    /** What jackson-core reads, as plain values: the reference for JsonReader. */
    private static Object jackson(String json) throws IOException {
        try (JsonParser p = LeanClient.JSON.createParser(json)) {
            p.nextToken();
            Object v = JsonValues.read(p);
            if (p.nextToken() != null) {
                throw new IOException("content after the value");
            }
            return v;
        }
    }

    private static Object mine(String json) throws IOException {
        byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return JsonReader.parse(bytes, 0, bytes.length);
    }

    @Test
    void jsonReaderReadsWhatJacksonReads() throws IOException {
        String[] texts = {
                "{}", "[]", " { \"a\" : [ 1 , -2 , 3.5 , -0.0 , 1e3 , 2E-2 , 0 ] }\n", "\"\"", "null", "true", "false",
                "{\"s\":\"caf\u00e9 \\u00e9 \\\" \\\\ \\/ \\b\\f\\n\\r\\t \\ud83d\\ude00 \u00e9\ud83d\ude00 end\"}",
                "{\"n\":9223372036854775807,\"m\":-9223372036854775808,\"big\":92233720368547758070,"
                        + "\"neg\":-92233720368547758070,\"i\":2147483648}",
                "{\"dup\":1,\"dup\":2,\"nested\":{\"a\":{\"b\":[[],[{}]]}}}",
                "[1.7976931348623157E308, 4.9E-324, 0.1, 123456789.123456789]"};
        for (String t : texts) {
            assertEquals(jackson(t), mine(t), t);
        }
        String[] bad = {"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "-", "1.", "1e", "\"abc", "\"\\x\"", "\"\\u12\"",
                "tru", "nul", "{} x", "\"a\u0001b\"", "[" .repeat(201) + "]".repeat(201), "1".repeat(101)};
        for (String t : bad) {
            assertThrows(IOException.class, () -> jackson(t), "jackson: " + t);
            assertThrows(IOException.class, () -> mine(t), t);
        }
    }

    private static JsonNode written(Object value) throws IOException {
        StringWriter w = new StringWriter();
        try (var g = LeanClient.JSON.createGenerator(w)) {
            JsonValues.write(g, value);
        }
        return Json.MAPPER.readTree(w.toString());
    }

    /** The JSON the full CLI sends, read back as a tree (numbers as read, not as the record's types). */
    private static JsonNode mapper(Object record) throws IOException {
        return Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(record));
    }

    private static final FileEntry FILE = new FileEntry(7, 2, "/a/b/c.txt", "c.txt", "txt", FileKind.DOCUMENT, 1234,
            Instant.parse("2026-01-02T03:04:05.123456789Z"), null, 99, "1234-abcd");
    private static final FileEntry FOLDER = new FileEntry(8, 2, "/a/b", "b", "", FileKind.FOLDER, 0,
            Instant.parse("2026-01-02T03:04:05Z"), Instant.parse("2025-01-02T03:04:05Z"), 100, null);

    @Test
    void answersDecodeAsJsonMapperDecodesThem() throws IOException {
        DaemonStatus s = new DaemonStatus("default", "0.1.0", 1, 42, Instant.parse("2026-12-04T21:03:06.346911908Z"),
                123456, "/d/daemon.sock", "/d", "/d/data", "/d/logs/daemon.log", 3, 120, 2, 15_000_000,
                6_000_000_000L, 100_000_000, 31, "25.0.3", true, 4242,
                java.util.Map.of("idle-timeout", "10m"));
        assertEquals(s, Payloads.status(plain(s)));
        Pong pong = new Pong("0.1.0", "default", 42, Instant.parse("2026-12-04T21:03:06Z"));
        assertEquals(pong, Payloads.pong(plain(pong)));
        SearchResult r = new SearchResult(List.of(FILE, FOLDER), "cursor-1", 4900, 10_000, false);
        assertEquals(r, Payloads.searchResult(plain(r)));
        SearchResult last = new SearchResult(List.of(), null, 12, 0, true);
        assertEquals(last, Payloads.searchResult(plain(last)));
        FileList l = new FileList("/a/b", List.of(FOLDER, FILE));
        assertEquals(l, Payloads.fileList(plain(l)));
    }

    @Test
    void anAnswerWithAFieldItDoesNotKnowOrANullPrimitiveIsRefused() {
        Map<String, Object> pong = Map.of("version", "0.1.0", "instance", "default", "pid", 42L,
                "time", "2026-12-04T21:03:06Z", "extra", 1L);
        assertThrows(IllegalArgumentException.class, () -> Payloads.pong(pong));
        Map<String, Object> nullPid = new java.util.HashMap<>(Map.of("version", "0.1.0", "instance", "default",
                "time", "2026-12-04T21:03:06Z"));
        nullPid.put("pid", null);
        assertThrows(IllegalArgumentException.class, () -> Payloads.pong(nullPid));
        assertThrows(IllegalArgumentException.class, () -> Payloads.pong(List.of()));
        assertEquals(0, Payloads.pong(Map.of("version", "v", "instance", "i")).pid()); // missing: 0, as databind
        assertNull(Payloads.pong(Map.of("version", "v", "instance", "i")).time());
    }

    @Test
    void requestsEncodeAsJsonMapperEncodesThem() throws IOException {
        SearchFiles plain = new SearchFiles("Photos", "beach", null, null, null, null, null, null, null, null, null,
                false, 50, null);
        assertEquals(mapper(plain), written(QuickLane.payload(plain)));
        SearchFiles full = new SearchFiles("Photos", "beach", "*.jpg", List.of("jpg"), List.of(FileKind.IMAGE), 1L, 9L,
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-02-01T00:00:00Z"), 3L, SortField.SIZE, true,
                10, "c");
        assertEquals(mapper(full), written(QuickLane.payload(full)));
        ListFiles ls = new ListFiles("Photos", "/a/b");
        assertEquals(mapper(ls), written(QuickLane.payload(ls)));
        assertEquals(mapper(new GetStatus()), written(QuickLane.payload(new GetStatus())));
        assertEquals(mapper(new Ping()), written(QuickLane.payload(new Ping())));
    }

    @Test
    void constantsAreTheOnesTheFullCliUses() {
        for (Object r : List.of(new GetStatus(), new Ping(), new ListFiles("x", "/y"), new SearchFiles("x", "y"))) {
            assertEquals(Requests.info(r.getClass()).method().wire(), QuickLane.method(r));
        }
        assertEquals(CoveCli.DEFAULT_TIMEOUT.toMillis(), QuickLane.TIMEOUT_MILLIS);
        assertEquals(Cove.VERSION, QuickLane.version());
    }

    @Test
    void parsesOnlyTheFormsItRuns() {
        QuickLane.Parsed p = QuickLane.Parsed.of(new String[]{"search", "--data-dir=/d", "beach", "-n", "7",
                "--instance", "work", "-l", "Photos"});
        assertEquals("search", p.command);
        assertEquals("beach", p.positional);
        assertEquals(7, p.limit);
        assertEquals("/d", p.dataDir);
        assertEquals("work", p.instance);
        assertEquals("Photos", p.library);
        assertNull(QuickLane.Parsed.of(new String[]{"--version"}).command);
        assertNull(QuickLane.Parsed.of(new String[]{"status", "-l", "x"})); // status takes no library
        assertNull(QuickLane.Parsed.of(new String[]{"ping", "--count", "2"}));
        assertNull(QuickLane.Parsed.of(new String[]{"ls", "--json"}));
        assertNull(QuickLane.Parsed.of(new String[]{"search", "-n", "-3"}));
    }

    @Test
    void instantsParseAsInstantParseParsesThem() {
        java.util.Random r = new java.util.Random(11);
        List<String> texts = new java.util.ArrayList<>(List.of("2026-12-06T18:05:12Z", "2024-02-29T00:00:00.5Z",
                "2000-02-29T23:59:59.999999999Z", "1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                "1969-12-31T23:59:59.1Z", "2026-12-06T18:05:12.123456Z"));
        for (int i = 0; i < 50_000; i++) {
            texts.add(Instant.ofEpochSecond(r.nextLong(-62_000_000_000L, 253_000_000_000L), r.nextBoolean() ? 0
                    : r.nextInt(1_000_000_000)).toString());
        }
        for (String t : texts) {
            assertEquals(Instant.parse(t), Payloads.instant(t), t);
        }
        for (String t : List.of("2023-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-06T24:00:00Z",
                "2026-12-06T18:05:60Z", "2026-12-06T18:05:12.Z", "2026-12-06T18:05:12.1234567890Z", "2026-13-01T00:00:00Z",
                "2026-12-06t18:05:12Z", "2026-12-06T18:05:12z", "2026-12-06T18:05:12+01:00", "+10000-01-01T00:00:00Z",
                "2026-12-06 18:05:12Z", "x026-12-06T18:05:12Z")) {
            Object expected;
            try {
                expected = Instant.parse(t);
            } catch (java.time.DateTimeException e) {
                expected = e.getClass();
            }
            Object actual;
            try {
                actual = Payloads.instant(t);
            } catch (java.time.DateTimeException e) {
                actual = e.getClass();
            }
            assertEquals(expected, actual, t);
        }
    }

    @Test
    void isoTimesAreWhatInstantToStringPrints() {
        java.util.Random r = new java.util.Random(5);
        List<Instant> times = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX,
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.ofEpochSecond(0, 1_000_000), Instant.ofEpochSecond(0, 1_000), Instant.ofEpochSecond(0, 1)));
        for (int i = 0; i < 50_000; i++) {
            int nano = switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000) * 1_000_000;
                case 2 -> r.nextInt(1_000_000) * 1_000;
                default -> r.nextInt(1_000_000_000);
            };
            times.add(Instant.ofEpochSecond(r.nextLong(-63_000_000_000L, 254_000_000_000L), nano));
        }
        for (Instant t : times) {
            assertEquals(t.toString(), Format.iso(t), t::toString);
        }
    }

    @Test
    void localTimesAreWhatTheirPatternPrints() {
        java.time.format.DateTimeFormatter local = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
        java.util.TimeZone before = java.util.TimeZone.getDefault();
        java.util.Random r = new java.util.Random(7);
        try {
            for (String zone : List.of("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                    "America/St_Johns", "Pacific/Chatham", "Africa/Casablanca")) {
                java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone(zone));
                List<Instant> times = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-03-29T01:00:00Z"),
                        Instant.parse("2026-10-25T00:59:59.999Z"), Instant.parse("1969-12-31T23:59:59.5Z"),
                        Instant.parse("9999-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.MAX,
                        Instant.MIN));
                for (int i = 0; i < 20_000; i++) {
                    times.add(Instant.ofEpochSecond(r.nextLong(-2_000_000_000L, 5_000_000_000L), r.nextInt(1_000_000_000)));
                }
                for (Instant t : times) {
                    String expected;
                    try {
                        expected = local.format(t.atZone(java.time.ZoneId.systemDefault()));
                    } catch (java.time.DateTimeException e) {
                        assertThrows(java.time.DateTimeException.class, () -> Format.time(t), zone + " " + t);
                        continue;
                    }
                    assertEquals(expected, Format.time(t), zone + " " + t);
                }
            }
        } finally {
            java.util.TimeZone.setDefault(before);
        }
    }

    @Test
    void fixedDecimalsAreWhatStringFormatPrints() {
        java.util.Random r = new java.util.Random(13);
        List<Double> values = new java.util.ArrayList<>(List.of(0.0, 0.05, 0.005, 0.015, 0.025, 1.05, 1.15, 1.25, 2.5,
                9.95, 99.95, 99.94999, 100.5, 1023.95, 1e-7, 123456789.25, 0.125, 0.375));
        for (int i = 0; i < 200_000; i++) {
            values.add(r.nextDouble() * Math.pow(10, r.nextInt(8) - 3));
            values.add(r.nextInt(1_000_000) / 1000.0);      // microseconds as milliseconds, as search prints them
            values.add(r.nextLong(1L << 40) / 1024.0 / 1024.0); // sizes, as Format.bytes divides them
        }
        for (double v : values) {
            for (int d = 0; d <= 2; d++) {
                assertEquals(String.format(java.util.Locale.ROOT, "%." + d + "f", v), Format.fixed(v, d), v + " to " + d);
            }
        }
    }
}
