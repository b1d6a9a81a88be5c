package dev.cove.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.Method;
import dev.cove.rpc.Requests;
import dev.cove.rpc.codec.Payloads;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.RawClient;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ScanResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kryo payloads whose length claims lie, in every length-bearing position of every registered method's input
 * type: strings, byte arrays, primitive and String arrays, lists, sets and maps, at any depth of the record graph.
 * The positions are found from the types, not listed by hand: for each position the test encodes the input
 * twice, with one and with two elements there, and the first byte that differs is that position's length. Each
 * length is then replaced by a claim at the edges (negative, the most negative, zero, one past the bytes left,
 * 2^31-1) and sent to a real daemon, which must answer DECODE_ERROR with the request's id (never run the call or
 * fail inside it) and keep serving: a ping on the same connection, and a canary on another, after every method.
 */
class KryoLengthClaimTest {
    @TempDir
    static Path tmp;
    static DaemonProcess daemon;
    static Canary canary;

    @BeforeAll
    static void start() {
        Path data = tmp.resolve("data");
        FaultPlugin.installInto(data);
        daemon = DaemonProcess.start(data, "claims");
        canary = Canary.start(daemon);
    }

    @AfterAll
    static void stop() {
        try {
            if (canary != null) {
                canary.close();
            }
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    // ---- the positions ----

    /** One step from a value to a part of it. */
    sealed interface Step {
    }

    record Component(String name) implements Step {
    }

    /** The first element of a list, set or array; a map's first key or value; one permitted subclass. */
    record Part(String what) implements Step {
    }

    record Permitted(Class<?> type) implements Step {
    }

    /** A length-bearing position: the steps from the root to it, and its kind. */
    record Position(List<Step> steps, Kind kind) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (Step s : steps) {
                sb.append(switch (s) {
                    case Component c -> "." + c.name();
                    case Part p -> "[" + p.what() + "]";
                    case Permitted p -> "<" + p.type().getSimpleName() + ">";
                });
            }
            return (sb.isEmpty() ? "(root)" : sb.toString()) + " " + kind;
        }
    }

    /** How a length is written: Kryo's UTF-8 string header, or a positive varint; and what it adds to the count. */
    enum Kind {
        STRING(1), BYTES(1), ARRAY(1), COLLECTION(0);
        final int bias;

        Kind(int bias) {
            this.bias = bias;
        }
    }

    static final int MAX_DEPTH = 6;
    static final java.util.regex.Pattern PATH_LIKE =
            java.util.regex.Pattern.compile("(?i)path|source|destination|folder|dir|root");

    /** Every length-bearing position reachable from {@code t}. */
    static void positions(Type t, List<Step> at, List<Position> out) {
        if (at.size() > MAX_DEPTH) {
            return;
        }
        Class<?> raw = raw(t);
        if (raw == String.class) {
            out.add(new Position(at, Kind.STRING));
        } else if (raw == byte[].class || raw == BigInteger.class || raw == BigDecimal.class) {
            out.add(new Position(at, Kind.BYTES));
        } else if (raw.isArray()) {
            out.add(new Position(at, Kind.ARRAY));
            positions(raw.getComponentType(), plus(at, new Part("element")), out);
        } else if (List.class.isAssignableFrom(raw) || Set.class.isAssignableFrom(raw)) {
            out.add(new Position(at, Kind.COLLECTION));
            positions(arg(t, 0), plus(at, new Part("element")), out);
        } else if (Map.class.isAssignableFrom(raw)) {
            out.add(new Position(at, Kind.COLLECTION));
            positions(arg(t, 0), plus(at, new Part("key")), out);
            positions(arg(t, 1), plus(at, new Part("value")), out);
        } else if (raw.isRecord()) {
            for (RecordComponent rc : raw.getRecordComponents()) {
                positions(rc.getGenericType(), plus(at, new Component(rc.getName())), out);
            }
        } else if (raw.isSealed()) {
            for (Class<?> p : raw.getPermittedSubclasses()) {
                positions(p, plus(at, new Permitted(p)), out);
            }
        }
    }

    static List<Step> plus(List<Step> at, Step s) {
        List<Step> l = new ArrayList<>(at);
        l.add(s);
        return l;
    }

    static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType pt) {
            return (Class<?>) pt.getRawType();
        }
        if (t instanceof GenericArrayType ga) {
            return Array.newInstance(raw(ga.getGenericComponentType()), 0).getClass();
        }
        return Object.class;
    }

    static Type arg(Type t, int i) {
        return t instanceof ParameterizedType pt ? pt.getActualTypeArguments()[i] : String.class;
    }

    // ---- values: everything filled, the target position with n elements ----

    /**
     * A value of {@code t} with every string, collection and array non-empty (strings not ASCII, so Kryo writes
     * their length), and the part at {@code target} (relative to this value; null when elsewhere) holding
     * {@code n} elements.
     */
    static Object value(Type t, List<Step> target, int n) throws ReflectiveOperationException {
        return value(t, target, n, "");
    }

    /** {@code name}: the record component the value is for; paths must be absolute, so path-like names get one. */
    static Object value(Type t, List<Step> target, int n, String name) throws ReflectiveOperationException {
        Class<?> raw = raw(t);
        boolean here = target != null && target.isEmpty();
        int count = here ? n : 1;
        if (raw == String.class) {
            return (PATH_LIKE.matcher(name).find() ? "/" : "") + "é".repeat(count);
        }
        if (raw == byte[].class) {
            return new byte[count];
        }
        if (raw == BigInteger.class) {
            return count == 1 ? BigInteger.ONE : BigInteger.valueOf(300); // one byte, two bytes
        }
        if (raw == BigDecimal.class) {
            return count == 1 ? BigDecimal.ONE : BigDecimal.valueOf(300);
        }
        if (raw.isArray()) {
            Object a = Array.newInstance(raw.getComponentType(), count);
            for (int i = 0; i < count; i++) {
                Array.set(a, i, value(raw.getComponentType(), sub(target, "element", i), n, name));
            }
            return a;
        }
        if (List.class.isAssignableFrom(raw) || Set.class.isAssignableFrom(raw)) {
            boolean set = Set.class.isAssignableFrom(raw);
            Collection<Object> c = set ? new LinkedHashSet<>() : new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Object v = value(arg(t, 0), sub(target, "element", i), n, name);
                c.add(set ? variant(v, i) : v);
            }
            return c;
        }
        if (Map.class.isAssignableFrom(raw)) {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                m.put(variant(value(arg(t, 0), sub(target, "key", i), n), i), value(arg(t, 1), sub(target, "value", i), n));
            }
            return m;
        }
        if (raw.isRecord()) {
            RecordComponent[] rcs = raw.getRecordComponents();
            Object[] args = new Object[rcs.length];
            Class<?>[] types = new Class<?>[rcs.length];
            for (int i = 0; i < rcs.length; i++) {
                types[i] = rcs[i].getType();
                List<Step> next = target != null && !target.isEmpty() && target.get(0) instanceof Component c
                        && c.name().equals(rcs[i].getName()) ? target.subList(1, target.size()) : null;
                args[i] = value(rcs[i].getGenericType(), next, n, rcs[i].getName());
            }
            var ctor = raw.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            try {
                return ctor.newInstance(args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new Refused(raw.getSimpleName() + " refuses the sample values: " + e.getCause());
            }
        }
        if (raw.isSealed()) {
            Class<?> pick = raw.getPermittedSubclasses()[0];
            List<Step> next = null;
            if (target != null && !target.isEmpty() && target.get(0) instanceof Permitted p) {
                pick = p.type();
                next = target.subList(1, target.size());
            }
            return value(pick, next, n);
        }
        if (raw.isEnum()) {
            return raw.getEnumConstants()[0];
        }
        return scalar(raw);
    }

    /** The target path below the i-th element of a container: only the first element leads to the target. */
    static List<Step> sub(List<Step> target, String what, int i) {
        if (target == null || target.isEmpty() || i != 0 || !(target.get(0) instanceof Part p) || !p.what().equals(what)) {
            return null;
        }
        return target.subList(1, target.size());
    }

    /** Keeps set elements and map keys distinct. */
    static Object variant(Object v, int i) {
        if (i == 0) {
            return v;
        }
        return switch (v) {
            case String s -> s + i;
            case Integer x -> x + i;
            case Long x -> x + i;
            default -> throw new Refused("cannot make " + v.getClass().getSimpleName() + " elements distinct");
        };
    }

    /**
     * Which numbers fill a record, tried in turn until its constructor accepts them: small ones, zeros (which
     * often mean "none"), then epoch milliseconds of 2026 (which time fields demand).
     */
    static final long[] NUMBERS = {1, 0, 1_767_225_600_000L};
    static int numbers;

    static Object scalar(Class<?> c) {
        long v = NUMBERS[numbers];
        if (c == int.class || c == Integer.class) {
            return (int) Math.min(v, 1000);
        }
        if (c == long.class || c == Long.class) {
            return v;
        }
        if (c == double.class || c == Double.class) {
            return (double) v;
        }
        if (c == float.class || c == Float.class) {
            return 1.0f;
        }
        if (c == boolean.class || c == Boolean.class) {
            return false;
        }
        if (c == short.class || c == Short.class) {
            return (short) 1;
        }
        if (c == byte.class || c == Byte.class) {
            return (byte) 1;
        }
        if (c == char.class || c == Character.class) {
            return 'e';
        }
        if (c == Instant.class) {
            return Instant.parse("2026-01-01T00:00:00Z"); // the contracts refuse times outside 2000-9999
        }
        if (c == Duration.class) {
            return Duration.ofSeconds(1);
        }
        if (c == LocalDate.class) {
            return LocalDate.EPOCH;
        }
        if (c == UUID.class) {
            return new UUID(1, 1);
        }
        if (c == Object.class) {
            return "é";
        }
        throw new Refused("no sample value for " + c.getName());
    }

    /** A type the generator cannot fill, or a record that refuses the sample values: reported, not failed. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    // ---- claims ----

    /** Kryo's UTF-8 string length header (writeUtf8Length) for {@code v}. */
    static byte[] utf8Header(int v) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        if (v >>> 6 == 0) {
            o.write(v | 0x80);
        } else {
            o.write(v | 0xC0);
            int rest = v >>> 6;
            while (true) {
                int more = rest >>> 7;
                o.write((rest & 0x7F) | (more != 0 ? 0x80 : 0));
                if (more == 0) {
                    break;
                }
                rest = more;
            }
        }
        return o.toByteArray();
    }

    /** Kryo's positive varint (writeVarInt(v, true)), five bytes for negative values. */
    static byte[] varint(int v) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        while ((v & ~0x7F) != 0) {
            o.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        o.write(v);
        return o.toByteArray();
    }

    /** The length in bytes of the length written at {@code off}. */
    static int slotLength(byte[] b, int off, Kind kind) {
        int i = off;
        if (kind == Kind.STRING) {
            if ((b[i] & 0x80) == 0) {
                throw new AssertionError("expected a UTF-8 string header at " + off);
            }
            if ((b[i++] & 0x40) == 0) {
                return 1;
            }
        }
        while ((b[i++] & 0x80) != 0) {
            // continuation bit
        }
        return i - off;
    }

    /** A value written into a length slot, as Kryo reads it (for strings and arrays, the count plus one). */
    record Claim(String name, int raw) {
    }

    /**
     * The edges: negative values in the slot (for strings and arrays -1 and MIN_VALUE; 0 would be Kryo's null
     * marker, a well-formed value), zero elements, one element more than there are bytes left, and 2^31-1.
     */
    static List<Claim> claims(Kind kind, int bytesLeft) {
        return List.of(new Claim("negative", -1), new Claim("most negative", Integer.MIN_VALUE),
                new Claim("zero", kind.bias), new Claim("one past the bytes left", bytesLeft + 1 + kind.bias),
                new Claim("2^31-1", Integer.MAX_VALUE));
    }

    /**
     * The registered JDK types that carry a length (KryoCodec's fixed list): a payload may hold one of them
     * wherever a value of any class is read, the root included.
     */
    static final List<Type> REGISTERED_WITH_LENGTHS = List.of(String.class, byte[].class, int[].class, long[].class,
            double[].class, String[].class, ArrayList.class, LinkedHashMap.class, LinkedHashSet.class,
            BigInteger.class, BigDecimal.class);

    static List<Type> roots(Class<?> input) {
        List<Type> roots = new ArrayList<>(List.of(input));
        roots.addAll(REGISTERED_WITH_LENGTHS);
        return roots;
    }

    static String name(Type root) {
        return root instanceof Class<?> c && !c.isRecord() ? "(" + c.getSimpleName() + " at the root)" : "";
    }

    // ---- the test ----

    @Test
    void everyLengthClaimAtTheEdgesIsADecodeErrorWithItsId() throws Exception {
        Map<String, String> schemas = new TreeMap<>();
        try (RawClient raw = daemon.raw()) {
            for (JsonNode m : raw.call(0, "query:core.methods.v1", null).path("payload").path("methods")) {
                schemas.put(m.path("method").asText(), m.path("kryoSchema").asText());
            }
        }
        Map<String, Class<?>> inputs = new TreeMap<>();
        try (ScanResult scan = new ClassGraph().enableClassInfo().enableAnnotationInfo().acceptPackages("dev.cove").scan()) {
            for (Class<?> c : scan.getClassesWithAnnotation(Method.class.getName()).loadClasses()) {
                String method;
                try {
                    method = Requests.info(c).method().wire();
                } catch (IllegalArgumentException notARequest) {
                    continue;
                }
                // two classes may claim one method (the framework's built-in core.shutdown and Cove's own, which
                // takes its place): the daemon's is the one whose codec has the daemon's fingerprint
                if (schemas.containsKey(method) && new Payloads(1 << 20, List.of(c, Requests.info(c).resultType()))
                        .fingerprint().equals(schemas.get(method))) {
                    inputs.put(method, c);
                }
            }
        }
        assertTrue(inputs.size() >= schemas.size() / 2, "found the input classes of the daemon's methods: "
                + inputs.keySet() + " of " + schemas.keySet());
        int frames = 0;
        int positionsTried = 0;
        List<String> skipped = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (RawClient raw = daemon.raw()) {
            for (Map.Entry<String, Class<?>> e : inputs.entrySet()) {
                String method = e.getKey();
                Class<?> input = e.getValue();
                Payloads payloads = new Payloads(1 << 20, List.of(input, Requests.info(input).resultType()));
                assertEquals(schemas.get(method), payloads.fingerprint(), "the test's codec for " + method
                        + " matches the daemon's");
                // the root is read as "any registered class", so the wire may put any of them there: the input's
                // own graph, and every registered JDK type that carries a length
                List<Map.Entry<Type, Position>> positions = new ArrayList<>();
                for (Type root : roots(input)) {
                    List<Position> found = new ArrayList<>();
                    positions(root, List.of(), found);
                    found.forEach(p -> positions.add(Map.entry(root, p)));
                }
                for (Map.Entry<Type, Position> rp : positions) {
                    Type root = rp.getKey();
                    Position pos = rp.getValue();
                    byte[] one = null;
                    byte[] two = null;
                    String refused = null;
                    for (numbers = 0; numbers < NUMBERS.length && one == null; numbers++) {
                        try {
                            one = payloads.kryo().encode(value(root, pos.steps(), 1));
                            two = payloads.kryo().encode(value(root, pos.steps(), 2));
                        } catch (ReflectiveOperationException | RuntimeException x) { // Refused among them
                            one = null;
                            refused = x.getMessage();
                        }
                    }
                    if (one == null) {
                        skipped.add(method + " " + name(root) + pos + ": " + refused);
                        continue;
                    }
                    int off = 0;
                    while (off < one.length && off < two.length && one[off] == two[off]) {
                        off++;
                    }
                    int slot = slotLength(one, off, pos.kind());
                    int left = one.length - off - slot;
                    positionsTried++;
                    for (Claim claim : claims(pos.kind(), left)) {
                        int rawValue = claim.raw();
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        b.write(one, 0, off);
                        b.writeBytes(pos.kind() == Kind.STRING ? utf8Header(rawValue) : varint(rawValue));
                        b.write(one, off + slot, left);
                        String id = "c" + (++frames);
                        String type = method.startsWith("action:") ? "action" : "query";
                        raw.sendLine("{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"method\":\"" + method
                                + "\",\"encoding\":\"kryo\",\"schema\":\"" + schemas.get(method) + "\",\"payload\":\""
                                + Base64.getEncoder().encodeToString(b.toByteArray()) + "\"}");
                        JsonNode f = raw.awaitId(id);
                        String code = f.path("error").path("code").asText("ok");
                        // zero is a well-formed length: the bytes after it are then misread, and a record's own
                        // check may refuse what was misread (INVALID_INPUT) before the decoder sees the leftovers
                        boolean fine = code.equals("DECODE_ERROR")
                                || claim.name().equals("zero") && code.equals("INVALID_INPUT");
                        if (!fine) {
                            failures.add(method + " " + name(root) + pos + ", claim " + claim + ": " + f);
                        }
                    }
                }
                assertEquals("ok", raw.call("ping-" + method, "query:core.ping.v1", null).path("type").asText(),
                        "the connection still works after the claims against " + method);
                canary.awaitMore(1);
            }
        }
        System.out.println("[faults] kryo length claims: " + frames + " frames, " + positionsTried
                + " length positions in the inputs of " + inputs.size() + " methods, " + skipped.size()
                + " positions the generator could not fill" + (skipped.isEmpty() ? "" : ": " + skipped));
        assertTrue(failures.isEmpty(), failures.size() + " claims were not answered DECODE_ERROR:\n"
                + String.join("\n", failures));
        assertTrue(positionsTried > 20, "length positions were found (" + positionsTried + ")");
    }
}
