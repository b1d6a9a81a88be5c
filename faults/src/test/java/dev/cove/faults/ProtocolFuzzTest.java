package dev.cove.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.codec.KryoCodec;
import dev.cove.rpc.codec.TypeGraph;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.RawClient;
import dev.cove.tests.support.plugin.Echo;
import dev.cove.tests.support.plugin.Echoed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and malformed frames over a raw socket, generated from seeds. Each generated frame carries the
 * answers the protocol (docs/protocol.md) promises for it; after each one a ping on the same connection
 * proves the connection still works, and a canary client on another connection pings throughout.
 * On failure the seed and the frame are in the message: rerun with {@code -Dcove.faults.seed=N}.
 */
class ProtocolFuzzTest {
    static final String ECHO = "query:test.echo.v1";
    static final String SLEEP = "query:test.sleep.v1";
    static final String PING = "query:core.ping.v1";
    /** Frames fuzzed across the whole class, for the report. */
    static final AtomicLong FRAMES = new AtomicLong();

    @TempDir
    static Path tmp;
    static DaemonProcess daemon;
    static Canary canary;
    static String echoSchema;
    static int kryoStringClass;
    static int kryoBytesClass;
    static int kryoStringArrayClass;
    static int kryoIntArrayClass;

    @BeforeAll
    static void start() {
        Path data = tmp.resolve("data");
        FaultPlugin.installInto(data);
        daemon = DaemonProcess.start(data, "fuzz");
        canary = Canary.start(daemon);
        try (RawClient raw = daemon.raw()) {
            JsonNode methods = raw.call(1, "query:core.methods.v1", null);
            for (JsonNode m : methods.path("payload").path("methods")) {
                if (m.path("method").asText().equals(ECHO)) {
                    echoSchema = m.path("kryoSchema").asText();
                }
            }
        }
        assertNotNull(echoSchema, "core.methods lists the echo op's kryo schema");
        // the class ids Kryo writes for JDK types, taken from the codec itself rather than hard-coded
        KryoCodec codec = new KryoCodec(TypeGraph.of(List.of(Echo.class, Echoed.class)), 1 << 20);
        assertEquals(echoSchema, codec.fingerprint(), "the test's codec matches the daemon's");
        kryoStringClass = codec.encode("x")[0];
        kryoBytesClass = codec.encode(new byte[0])[0];
        kryoStringArrayClass = codec.encode(new String[0])[0];
        kryoIntArrayClass = codec.encode(new int[0])[0];
    }

    @AfterAll
    static void stop() {
        try {
            if (canary != null) {
                canary.close();
            }
            if (daemon != null) {
                assertTrue(daemon.process().isAlive(), "the daemon survived the fuzzing" + daemon.output());
                String log = daemon.log();
                assertTrue(!log.contains("OutOfMemoryError"), "the daemon ran out of memory:" + daemon.output());
                Faults.checkPeak("protocol fuzzing, at the end", 0, Faults.rssBytes(daemon.pid()));
            }
            System.out.println("[faults] protocol fuzzing: " + FRAMES.get() + " frames fuzzed, canary answered "
                    + (canary == null ? 0 : canary.answered()) + " pings, daemon RSS "
                    + Faults.mib(Faults.rssBytes(daemon.pid())));
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    // ---- what a frame should get back ----

    /** A marker: the answer may carry any id (random bytes may by chance spell one). */
    static final Object ANY_ID = new Object() {
        @Override
        public String toString() {
            return "any id";
        }
    };

    /**
     * One answer a frame must get: an {@code ok} or {@code error} frame whose id is {@code id} (null: a JSON
     * null, the frame could not be read) and whose code is in {@code codes} ("ok" for success).
     */
    record Expect(Object id, Set<String> codes, java.util.function.Predicate<JsonNode> orElse) {
        Expect(Object id, Set<String> codes) {
            this(id, codes, null);
        }

        boolean matches(JsonNode f) {
            return matchesCode(f) || orElse != null && orElse.test(f);
        }

        private boolean matchesCode(JsonNode f) {
            String code = f.path("type").asText().equals("ok") ? "ok" : f.path("error").path("code").asText();
            if (!codes.contains(code)) {
                return false;
            }
            JsonNode got = f.get("id");
            if (id == ANY_ID) {
                return true;
            }
            if (id == null) {
                return got == null || got.isNull();
            }
            if (id instanceof Long || id instanceof Integer) {
                return got != null && got.isIntegralNumber() && got.asLong() == ((Number) id).longValue();
            }
            return RawClient.JSON.valueToTree(id).equals(got);
        }

        @Override
        public String toString() {
            return codes + " with id " + (id instanceof String s && s.length() > 40 ? s.substring(0, 40) + "..." : id);
        }
    }

    /** A generated frame (bytes, newline included) and what it must be answered with, in any order. */
    record Case(String kind, byte[] bytes, List<Expect> expects) {
        String preview() {
            String s = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8);
            return kind + " (" + bytes.length + " bytes): " + s.replace("\n", "\\n") + (bytes.length > 300 ? "..." : "");
        }
    }

    static Expect badFrame() {
        return new Expect(null, Set.of("BAD_FRAME"));
    }

    static Expect answer(Object id, String... codes) {
        return new Expect(id, Set.of(codes));
    }

    static Case c(String kind, String line, Expect... expects) {
        return new Case(kind, (line + "\n").getBytes(StandardCharsets.UTF_8), List.of(expects));
    }

    static Case c(String kind, byte[] line, Expect... expects) {
        byte[] b = Arrays.copyOf(line, line.length + 1);
        b[line.length] = '\n';
        return new Case(kind, b, List.of(expects));
    }

    static String q(String s) {
        try {
            return RawClient.JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String req(Object id, String type, String method, String payloadJson) {
        String idJson = id instanceof String s ? q(s) : String.valueOf(id);
        return "{\"id\":" + idJson + ",\"type\":\"" + type + "\",\"method\":" + q(method)
                + (payloadJson == null ? "" : ",\"payload\":" + payloadJson) + "}";
    }

    // ---- the generator ----

    static final class Generator {
        final Random r;
        final long seed;
        int next;

        Generator(long seed) {
            this.seed = seed;
            this.r = new Random(seed);
        }

        String id() {
            return r.nextBoolean() ? "f" + seed + "-" + (next++) : null;
        }

        Object anyId() {
            int n = next++;
            return r.nextBoolean() ? (Object) ("f-" + n) : (Object) (1_000_000_000L + n);
        }

        Case next() {
            int k = r.nextInt(100);
            if (k < 12) {
                return randomBytes();
            } else if (k < 22) {
                return truncated();
            } else if (k < 27) {
                return nested();
            } else if (k < 35) {
                return invalidUtf8();
            } else if (k < 45) {
                return numbers();
            } else if (k < 47) {
                return hugeStrings();
            } else if (k < 62) {
                return wrongPayloadTypes();
            } else if (k < 72) {
                return wrongFrameFields();
            } else if (k < 82) {
                return kryo();
            } else if (k < 86) {
                return duplicateIds();
            } else if (k < 90) {
                return odd();
            }
            return valid();
        }

        Case randomBytes() {
            int len = 1 + (r.nextInt(10) == 0 ? r.nextInt(200_000) : r.nextInt(300));
            byte[] b = new byte[len];
            boolean jsonish = r.nextBoolean();
            String alphabet = "{}[]\":,0123456789.eE+-tfnulrsa \\/\t";
            for (int i = 0; i < len; i++) {
                b[i] = jsonish ? (byte) alphabet.charAt(r.nextInt(alphabet.length())) : (byte) r.nextInt(256);
                if (b[i] == '\n') {
                    b[i] = ' ';
                }
            }
            if (b[0] == '\r' || b[0] == '{') {
                b[0] = 'x'; // a lone CR is an empty line; an object could by chance be a valid request
            }
            return c("random bytes", b, new Expect(ANY_ID, Set.of("BAD_FRAME")));
        }

        Case truncated() {
            Case whole = valid();
            byte[] b = whole.bytes();
            int cut = 1 + r.nextInt(b.length - 2); // keep at least one byte, drop at least the closing brace
            return c("truncated", Arrays.copyOf(b, cut), badFrame());
        }

        Case nested() {
            int[] deep = {201, 250, 1000, 10_000, 100_000, 1_000_000};
            boolean tooDeep = r.nextInt(4) != 0;
            int depth = tooDeep ? deep[r.nextInt(deep.length)] : 1 + r.nextInt(Json.MAX_NESTING); // 200 still reads
            boolean arrays = r.nextBoolean();
            StringBuilder sb = new StringBuilder(depth * 6);
            for (int i = 0; i < depth; i++) {
                sb.append(arrays ? "[" : "{\"a\":");
            }
            sb.append("1");
            for (int i = 0; i < depth; i++) {
                sb.append(arrays ? "]" : "}");
            }
            String id = "n" + (next++);
            String line = req(id, "query", ECHO, sb.toString());
            // the frame object is one level, the payload's nesting sits below it; the id comes first, so even
            // a frame too deep to read is answered with it
            return c("nested " + depth + (arrays ? " arrays" : " objects"), line,
                    tooDeep ? answer(id, "BAD_FRAME") : answer(id, "DECODE_ERROR"));
        }

        Case invalidUtf8() {
            byte[][] bad = {{(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xC3, 0x28}, {(byte) 0xE2, 0x28, (byte) 0xA1},
                    {(byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
                    {(byte) 0xFE}, {(byte) 0xC3}};
            byte[][] lenient = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                    {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
            boolean strict = r.nextInt(3) != 0;
            byte[] seq = strict ? bad[r.nextInt(bad.length)] : lenient[r.nextInt(lenient.length)];
            String id = "u" + (next++);
            boolean inMethod = r.nextInt(4) == 0;
            String head = inMethod
                    ? "{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":\"query:test.ec"
                    : "{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":\"" + ECHO + "\",\"payload\":{\"text\":\"ab";
            String tail = inMethod ? "ho.v1\"}" : "cd\",\"n\":1}}";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(seq);
            out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
            String hex = hex(seq);
            if (strict) {
                return c("invalid UTF-8 " + hex, out.toByteArray(), badFrame());
            }
            // overlong and surrogate encodings: refused as a bad frame, or decoded and answered, but answered
            return c("dubious UTF-8 " + hex, out.toByteArray(),
                    new Expect(null, Set.of("BAD_FRAME"), f -> answer(id, "ok", "DECODE_ERROR", "INVALID_INPUT",
                            "METHOD_NOT_FOUND").matches(f)));
        }

        Case numbers() {
            String id = "num" + (next++);
            return switch (r.nextInt(12)) {
                case 0 -> c("400-digit id", "{\"id\":" + "9".repeat(400) + ",\"type\":\"query\",\"method\":\"" + PING + "\"}",
                        badFrame());
                case 1 -> {
                    // an integral id beyond 64 bits: echoed exactly, or refused; never echoed as another number
                    String big = "1" + "0".repeat(20 + r.nextInt(60));
                    yield c("id beyond 64 bits", "{\"id\":" + big + ",\"type\":\"query\",\"method\":\"" + PING + "\"}",
                            new Expect(null, Set.of("BAD_FRAME"), f -> f.get("id") != null
                                    && f.get("id").isIntegralNumber()
                                    && f.get("id").bigIntegerValue().toString().equals(big)));
                }
                case 2 -> c("float id", "{\"id\":1.5,\"type\":\"query\",\"method\":\"" + PING + "\"}", badFrame());
                case 3 -> c("n=1e400", req(id, "query", ECHO, "{\"text\":\"x\",\"n\":1e400}"),
                        answer(id, "DECODE_ERROR"));
                case 4 -> c("n beyond int", req(id, "query", ECHO, "{\"text\":\"x\",\"n\":" + (1L << 40) + "}"),
                        answer(id, "DECODE_ERROR"));
                case 5 -> c("n negative (refused by the record)", req(id, "query", ECHO, "{\"text\":\"x\",\"n\":-5}"),
                        answer(id, "INVALID_INPUT"));
                case 6 -> {
                    String t = List.of(String.valueOf(Long.MAX_VALUE), "1e30", "\"99999999999999999999\"",
                            String.valueOf(Long.MIN_VALUE), "-1", "1e-9", "\"soon\"").get(r.nextInt(7));
                    yield c("timeout " + t, "{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":\"" + PING
                            + "\",\"timeout\":" + t + "}", answer(id, "ok", "BAD_FRAME", "INVALID_INPUT"));
                }
                case 7 -> c("sleep forever, timeout 50 ms", "{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":\""
                        + SLEEP + "\",\"timeout\":50,\"payload\":{\"millis\":" + Long.MAX_VALUE + "}}", answer(id, "TIMEOUT"));
                case 8 -> c("99-digit n", req(id, "query", ECHO, "{\"text\":\"x\",\"n\":" + "7".repeat(99) + "}"),
                        answer(id, "DECODE_ERROR"));
                case 9 -> c("101-digit n", req(id, "query", ECHO, "{\"text\":\"x\",\"n\":" + "7".repeat(101) + "}"),
                        answer(id, "BAD_FRAME")); // over a parser limit, not malformed: the id is read
                case 10 -> c("NaN n", req(id, "query", ECHO, "{\"text\":\"x\",\"n\":NaN}"), badFrame());
                default -> c("sleep millis negative", req(id, "query", SLEEP, "{\"millis\":-" + r.nextInt(1000) + "}"),
                        answer(id, "ok", "INVALID_INPUT"));
            };
        }

        Case hugeStrings() {
            int len = (1 << 20) + r.nextInt(Faults.LONG ? 8 << 20 : 3 << 20);
            String big = "x".repeat(len);
            String id = "big" + (next++);
            return switch (r.nextInt(4)) {
                case 0 -> c("huge text", req(id, "query", ECHO, "{\"text\":\"" + big + "\",\"n\":1}"), answer(id, "ok"));
                case 1 -> c("huge method name", req(id, "query", "query:" + big, null), answer(id, "METHOD_NOT_FOUND"));
                case 2 -> c("huge id", req(big, "query", PING, null), answer(big, "ok"));
                default -> c("huge field name", req(id, "query", ECHO, "{\"" + big + "\":1}"),
                        answer(id, "BAD_FRAME")); // names are capped at 50,000 characters by the parser
            };
        }

        Case wrongPayloadTypes() {
            String id = "p" + (next++);
            String[] values = {"\"text\"", "5", "true", "[]", "[1,2]", "{\"text\":5,\"n\":1}", "{\"text\":\"x\",\"n\":\"many\"}",
                    "{\"text\":[],\"n\":1}", "{\"text\":\"x\",\"n\":{}}", "{\"nope\":1}", "{\"text\":\"x\",\"n\":1.5}",
                    "{\"text\":\"x\",\"n\":true}", "\"\"", "-0"};
            String method = List.of(ECHO, SLEEP, PING, "query:core.status.v1", "query:core.clients.v1",
                    "query:sessions.get.v1", "query:jobs.get.v1", "action:libraries.create.input.v1").get(r.nextInt(8));
            String v = values[r.nextInt(values.length)];
            String type = method.startsWith("action:") ? "action" : "query";
            // each of these values is the wrong shape for the chosen method's input
            boolean fits = false;
            if (method.equals(ECHO) && (v.equals("{\"text\":\"x\",\"n\":1.5}") || v.equals("{\"text\":5,\"n\":1}"))) {
                fits = true; // Jackson coerces 5 to "5" and 1.5 to 1; answered either way
            }
            if (!method.equals(ECHO) || v.equals("\"\"") || v.equals("-0") || v.equals("5") || v.equals("true")) {
                // Jackson's coercions (a string to a one-string record, 5 to "5") differ by type: then any
                // answer but EXECUTION_ERROR will do; the echo op's input has no such shortcut for objects
                fits = true;
            }
            return c("payload " + v + " for " + method, req(id, type, method, v),
                    fits ? answer(id, "ok", "DECODE_ERROR", "INVALID_INPUT", "NOT_FOUND")
                            : answer(id, "DECODE_ERROR", "INVALID_INPUT"));
        }

        Case wrongFrameFields() {
            String id = "w" + (next++);
            return switch (r.nextInt(16)) {
                case 0 -> c("type is a number", "{\"id\":\"" + id + "\",\"type\":5,\"method\":\"" + PING + "\"}", answer(id, "BAD_FRAME"));
                case 1 -> c("id is a list", "{\"id\":[1],\"type\":\"query\",\"method\":\"" + PING + "\"}", badFrame());
                case 2 -> c("id is true", "{\"id\":true,\"type\":\"query\",\"method\":\"" + PING + "\"}", badFrame());
                case 3 -> c("id is null", "{\"id\":null,\"type\":\"query\",\"method\":\"" + PING + "\"}", badFrame());
                case 4 -> c("no id", "{\"type\":\"query\",\"method\":\"" + PING + "\"}", badFrame());
                case 5 -> c("method is a number", "{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":12}", answer(id, "METHOD_NOT_FOUND"));
                case 6 -> c("method is an object", "{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":{}}",
                        answer(id, "METHOD_NOT_FOUND", "BAD_FRAME"));
                case 7 -> c("no method", "{\"id\":\"" + id + "\",\"type\":\"query\"}", answer(id, "BAD_FRAME"));
                case 8 -> c("unknown encoding", "{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":\"" + PING
                        + "\",\"encoding\":\"xml\"}", answer(id, "BAD_FRAME"));
                case 9 -> c("kind mismatch", "{\"id\":\"" + id + "\",\"type\":\"action\",\"method\":\"" + PING + "\"}",
                        answer(id, "BAD_FRAME"));
                case 10 -> c("unknown type", "{\"id\":\"" + id + "\",\"type\":\"gimme\"}", answer(id, "BAD_FRAME"));
                case 11 -> c("subscribe events not a list", "{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"events\":5}",
                        answer(id, "INVALID_INPUT"));
                case 12 -> c("subscribe unknown event", "{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"events\":[\"Nope\"]}",
                        answer(id, "INVALID_INPUT"));
                case 13 -> c("subscribe filter a list", "{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"filter\":[1]}",
                        answer(id, "INVALID_INPUT"));
                case 14 -> c("unsubscribe unknown", "{\"id\":\"" + id + "\",\"type\":\"unsubscribe\",\"sub\":"
                        + (r.nextBoolean() ? String.valueOf(r.nextLong()) : "\"abc\"") + "}", answer(id, "NOT_FOUND"));
                default -> c("hello again", "{\"id\":\"" + id + "\",\"type\":\"hello\",\"protocol\":1}", answer(id, "BAD_FRAME"));
            };
        }

        Case kryo() {
            String id = "k" + (next++);
            String head = "{\"id\":\"" + id + "\",\"type\":\"query\",\"method\":\"" + ECHO + "\",\"encoding\":\"kryo\"";
            String schema = ",\"schema\":\"" + echoSchema + "\"";
            int k = r.nextInt(10);
            return switch (k) {
                case 0 -> c("kryo garbage base64", head + schema + ",\"payload\":\"!!not base64??\"}", answer(id, "DECODE_ERROR"));
                case 1 -> c("kryo payload an object", head + schema + ",\"payload\":{\"text\":\"x\"}}", answer(id, "DECODE_ERROR"));
                case 2 -> c("kryo without schema", head + ",\"payload\":\"AAAA\"}", answer(id, "DECODE_ERROR"));
                case 3 -> c("kryo wrong schema", head + ",\"schema\":\"0123456789abcdef\",\"payload\":\"AAAA\"}", answer(id, "DECODE_ERROR"));
                case 4 -> {
                    byte[] junk = new byte[1 + r.nextInt(r.nextBoolean() ? 64 : 4096)];
                    r.nextBytes(junk);
                    yield c("kryo random bytes", head + schema + ",\"payload\":\"" + b64(junk) + "\"}",
                            answer(id, "DECODE_ERROR", "INVALID_INPUT"));
                }
                case 5 -> {
                    // a class named on the wire (Kryo's NAME marker, 1): never looked up, let alone instantiated
                    String cls = List.of("java.lang.ProcessBuilder", "javax.script.ScriptEngineManager",
                            "com.sun.rowset.JdbcRowSetImpl", "dev.cove.daemon.Daemon", "java.util.concurrent.CopyOnWriteArrayList",
                            "java.net.URL", "no.such.Clazz", "java.io.File").get(r.nextInt(8));
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write(1);                      // NAME
                    b.write(1 + r.nextInt(50));       // name id
                    b.writeBytes(kryoAscii(cls));
                    b.writeBytes(new byte[]{0, 1, 2, 3});
                    yield c("kryo names class " + cls, head + schema + ",\"payload\":\"" + b64(b.toByteArray()) + "\"}",
                            answer(id, "DECODE_ERROR"));
                }
                case 6 -> {
                    // a string that claims a billion characters in a few bytes
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.writeBytes(varint(kryoStringClass));
                    b.writeBytes(utf8Length(1_000_000_000 + r.nextInt(1_000_000_000)));
                    b.writeBytes(new byte[]{'a', 'b'});
                    yield c("kryo string claiming 1e9 chars", head + schema + ",\"payload\":\"" + b64(b.toByteArray()) + "\"}",
                            answer(id, "DECODE_ERROR"));
                }
                case 7 -> {
                    int cls = List.of(kryoBytesClass, kryoStringArrayClass, kryoIntArrayClass).get(r.nextInt(3));
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.writeBytes(varint(cls));
                    b.writeBytes(varint(500_000_000 + r.nextInt(1_000_000_000))); // length + 1
                    b.writeBytes(new byte[]{1, 2, 3});
                    yield c("kryo array claiming 1e9 elements (class " + cls + ")",
                            head + schema + ",\"payload\":\"" + b64(b.toByteArray()) + "\"}", answer(id, "DECODE_ERROR"));
                }
                case 8 -> c("kryo valid echo", head + schema + ",\"payload\":\""
                        + b64(new KryoCodec(TypeGraph.of(List.of(Echo.class, Echoed.class)), 1 << 20)
                        .encode(new Echo("kryo", 3))) + "\"}", answer(id, "ok"));
                default -> c("kryo empty payload", head + schema + ",\"payload\":\"\"}", answer(id, "DECODE_ERROR", "INVALID_INPUT"));
            };
        }

        Case duplicateIds() {
            if (r.nextInt(3) == 0) {
                // the number 7 and the string "7" are different ids (protocol.md: match answers by id)
                long n = 500_000_000L + (next++);
                String slow = req(n, "query", SLEEP, "{\"millis\":300}");
                String other = req(String.valueOf(n), "query", PING, null);
                return c("number and string with the same digits", slow + "\n" + other, answer(n, "ok"),
                        answer(String.valueOf(n), "ok"));
            }
            String id = "dup" + (next++);
            String slow = req(id, "query", SLEEP, "{\"millis\":300}");
            String again = req(id, "query", PING, null);
            return c("duplicate id in flight", slow + "\n" + again, answer(id, "ok"), answer(id, "BAD_FRAME"));
        }

        Case odd() {
            String id = "o" + (next++);
            return switch (r.nextInt(7)) {
                case 0 -> c("CRLF", req(id, "query", PING, null) + "\r", answer(id, "ok"));
                case 1 -> c("empty lines", "\n\r\n\n");
                case 2 -> c("cancel of nothing", "{\"id\":\"" + id + "\",\"type\":\"cancel\"}");
                case 3 -> c("cancel without id", "{\"type\":\"cancel\"}");
                case 4 -> c("BOM first", "\uFEFF" + req(id, "query", PING, null), // Jackson skips a BOM
                        new Expect(null, Set.of("BAD_FRAME"), answer(id, "ok")::matches));
                case 5 -> c("two objects on a line", req(id, "query", PING, null) + req(id + "b", "query", PING, null),
                        badFrame());
                default -> c("whitespace line", " \t ", badFrame());
            };
        }

        Case valid() {
            String id = "v" + (next++);
            return switch (r.nextInt(3)) {
                case 0 -> c("ping", req(id, "query", PING, null), answer(id, "ok"));
                case 1 -> c("echo", req(id, "query", ECHO, "{\"text\":\"h\\u00e9llo \\\"q\\\"\",\"n\":" + r.nextInt(100) + "}"),
                        answer(id, "ok"));
                default -> c("status", req(id, "query", "query:core.status.v1", "{}"), answer(id, "ok"));
            };
        }
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02X", x & 0xFF));
        }
        return sb.toString();
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] varint(int v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while ((v & ~0x7F) != 0) {
            b.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b.write(v);
        return b.toByteArray();
    }

    /** Kryo's UTF-8 string header: flag bit 0x80, 6 bits of (length + 1), then a varint of the rest. */
    static byte[] utf8Length(int chars) {
        int v = chars + 1;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int first = 0x80 | (v & 0x3F);
        v >>>= 6;
        if (v != 0) {
            first |= 0x40;
        }
        b.write(first);
        if (v != 0) {
            b.writeBytes(varint(v));
        }
        return b.toByteArray();
    }

    /** Kryo's ASCII string: the characters, the last one with its high bit set. */
    static byte[] kryoAscii(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        b[b.length - 1] |= (byte) 0x80;
        return b;
    }

    // ---- running cases ----

    /** Sends a case and a sentinel ping, and checks every answer until the case and the sentinel are answered. */
    static void run(RawClient raw, Case c, String context) {
        String sentinel = "sentinel-" + FRAMES.incrementAndGet();
        ByteBuffer buf = ByteBuffer.allocate(c.bytes().length + 100);
        buf.put(c.bytes()).put((req(sentinel, "query", PING, null) + "\n").getBytes(StandardCharsets.UTF_8)).flip();
        raw.writeUntilClosed(buf);
        if (buf.hasRemaining()) {
            throw new AssertionError(context + ": the daemon closed the connection while " + c.preview()
                    + " was being sent" + daemon.output());
        }
        List<Expect> pending = new ArrayList<>(c.expects());
        boolean sentinelSeen = false;
        List<String> seen = new ArrayList<>();
        while (!sentinelSeen || !pending.isEmpty()) {
            JsonNode f;
            try {
                f = raw.next(Duration.ofSeconds(30));
            } catch (AssertionError e) {
                throw new AssertionError(context + ": no answer within 30 s to " + c.preview() + "; still expected "
                        + pending + (sentinelSeen ? "" : " and the sentinel ping") + "; got " + seen, e);
            }
            if (f == null) {
                throw new AssertionError(context + ": the daemon closed the connection after " + c.preview()
                        + "; expected " + pending + "; got " + seen + daemon.output());
            }
            String type = f.path("type").asText();
            if (type.equals("event") || type.equals("lagged") || type.equals("end")) {
                continue;
            }
            String s = f.toString();
            seen.add(s.length() > 300 ? s.substring(0, 300) + "..." : s);
            if (sentinel.equals(f.path("id").asText(null)) && f.path("id").isTextual()) {
                if (!type.equals("ok")) {
                    throw new AssertionError(context + ": the ping after " + c.preview() + " failed: " + s);
                }
                sentinelSeen = true;
                continue;
            }
            Expect match = pending.stream().filter(e -> e.matches(f)).findFirst().orElse(null);
            if (match == null) {
                throw new AssertionError(context + ": unexpected answer to " + c.preview() + ": " + seen.getLast()
                        + "; expected " + pending);
            }
            pending.remove(match);
            if (type.equals("error")) {
                String msg = f.path("error").path("message").asText();
                if (msg.contains("\n\tat ") || msg.contains("Exception:") && msg.contains(".java:")) {
                    throw new AssertionError(context + ": an error message carries a stack trace: " + s);
                }
            }
        }
    }

    @Test
    void seededFuzzFramesGetTheDocumentedAnswersAndOthersAreServedThroughout() {
        int perSeed = Faults.scale(1000, 20_000);
        Map<String, Integer> kinds = new HashMap<>();
        for (long seed : Faults.seeds()) {
            String context = "seed " + seed + " (rerun: -Dcove.faults.seed=" + seed + ")";
            Generator g = new Generator(seed);
            RawClient raw = daemon.raw();
            try {
                for (int i = 0; i < perSeed; i++) {
                    Case c = g.next();
                    kinds.merge(c.kind().replaceAll(" for .*|[0-9\"{\\[(-].*|(true|names class).*", "").trim(), 1, Integer::sum);
                    run(raw, c, context + ", frame " + i);
                    if (i % 200 == 0) {
                        canary.check();
                    }
                }
            } catch (AssertionError e) {
                System.out.println("[faults] FAILED " + context);
                throw e;
            } finally {
                raw.close();
            }
            canary.awaitMore(1);
        }
        System.out.println("[faults] fuzz case kinds: " + kinds);
    }

    static String code(JsonNode f) {
        return f == null ? "(connection closed)" : f.path("error").path("code").asText(f.path("type").asText());
    }

    @Test
    void helloViolationsGetTheirCodesAndOnlyAWrongVersionClosesTheConnection() {
        record Hello(String line, String code, boolean closes) {
        }
        List<Hello> cases = List.of(
                new Hello("{\"id\":1,\"type\":\"query\",\"method\":\"query:core.ping.v1\"}", "BAD_FRAME", false),
                new Hello("{\"type\":\"hello\"}", "BAD_FRAME", false),
                new Hello("{\"type\":\"hello\",\"protocol\":\"one\"}", "BAD_FRAME", false),
                new Hello("{\"type\":\"hello\",\"protocol\":" + (1L << 40) + "}", "BAD_FRAME", false),
                new Hello("{\"type\":\"hello\",\"protocol\":null}", "BAD_FRAME", false),
                new Hello("[\"hello\"]", "BAD_FRAME", false),
                new Hello("{\"type\":\"subscribe\",\"id\":2}", "BAD_FRAME", false),
                new Hello("{\"type\":\"hello\",\"protocol\":2}", "UNSUPPORTED_VERSION", true),
                new Hello("{\"type\":\"hello\",\"protocol\":0}", "UNSUPPORTED_VERSION", true),
                new Hello("{\"type\":\"hello\",\"protocol\":-1}", "UNSUPPORTED_VERSION", true));
        for (Hello h : cases) {
            try (RawClient raw = RawClient.connect(daemon.paths())) {
                assertEquals("hello", raw.next().path("type").asText());
                raw.sendLine(h.line());
                FRAMES.incrementAndGet();
                JsonNode f = raw.next();
                assertEquals(h.code(), code(f), h.line() + " -> " + f);
                if (h.closes()) {
                    assertTrue(raw.awaitClosed(Duration.ofSeconds(10)), "closed after " + h.line());
                } else {
                    // still waiting for a hello: a proper one works, and then calls do
                    raw.sendLine("{\"type\":\"hello\",\"protocol\":1,\"name\":\"" + "n".repeat(10_000) + "\",\"pid\":1}");
                    assertEquals("ok", raw.call("after", PING, null).path("type").asText(), "calls work after " + h.line());
                }
            }
        }
        canary.awaitMore(1);
    }

    @Test
    void framesOverTheLimitAreRefusedAndClosedWithoutTheDaemonBufferingThem() {
        int max = daemon.raw().serverHello().path("maxFrame").asInt();
        assertEquals(16 << 20, max);
        long rssBefore = Faults.rssBytes(daemon.pid());
        for (boolean newline : new boolean[]{false, true}) {
            try (RawClient raw = daemon.raw()) {
                byte[] big = new byte[max + 1024];
                Arrays.fill(big, (byte) 'a');
                big[0] = '{';
                if (newline) {
                    big[big.length - 1] = '\n';
                }
                raw.writeUntilClosed(ByteBuffer.wrap(big));
                FRAMES.incrementAndGet();
                JsonNode f = raw.next();
                assertEquals("FRAME_TOO_LARGE", code(f), String.valueOf(f));
                assertTrue(raw.awaitClosed(Duration.ofSeconds(10)), "the connection is closed");
            }
            canary.awaitMore(1);
        }
        // exactly the limit is still a frame (answered as bad JSON, the connection stays)
        try (RawClient raw = daemon.raw()) {
            byte[] edge = new byte[max];
            Arrays.fill(edge, (byte) ' ');
            edge[0] = 'x';
            raw.writeUntilClosed(ByteBuffer.wrap(edge));
            raw.sendLine("");
            FRAMES.incrementAndGet();
            assertEquals("BAD_FRAME", code(raw.next()));
            assertEquals("ok", raw.call("alive", PING, null).path("type").asText());
        }
        Faults.checkPeak("over-limit frames", rssBefore, Faults.rssBytes(daemon.pid()));
    }

    @Test
    void requestsAfterUnsubscribeAreRefusedAndNoEventFollowsTheEnd() {
        try (RawClient raw = daemon.raw()) {
            raw.send(Map.of("id", "s1", "type", "subscribe", "events", List.of("LogMessage", "ClientConnected")));
            JsonNode ok = raw.awaitId("s1");
            assertEquals("ok", ok.path("type").asText(), ok.toString());
            long sub = ok.path("payload").path("subscription").asLong();
            raw.send(Map.of("id", "u1", "type", "unsubscribe", "sub", sub));
            assertEquals("ok", raw.awaitId("u1").path("type").asText());
            JsonNode end = raw.awaitFrame(f -> f.path("type").asText().equals("end"), Duration.ofSeconds(10));
            assertEquals("unsubscribed", end.path("reason").asText());
            // unsubscribing again, cancelling the subscription id, a second unsubscribe without id
            raw.send(Map.of("id", "u2", "type", "unsubscribe", "sub", sub));
            assertEquals("NOT_FOUND", code(raw.awaitId("u2")));
            raw.send(Map.of("id", "s1", "type", "cancel"));
            raw.send(Map.of("type", "unsubscribe", "sub", sub));
            JsonNode noId = raw.next();
            assertEquals("NOT_FOUND", code(noId), noId.toString());
            FRAMES.addAndGet(6);
            // events happen (other clients connect); none reaches the ended subscription
            try (RawClient other = daemon.raw()) {
                other.call(1, PING, null);
            }
            JsonNode pong = raw.call("after", PING, null);
            assertEquals("ok", pong.path("type").asText());
            raw.send(Map.of("id", "last", "type", "query", "method", PING));
            JsonNode last = raw.next();
            assertEquals("last", last.path("id").asText(), "nothing but the answer after the end: " + last);
        }
    }
}
