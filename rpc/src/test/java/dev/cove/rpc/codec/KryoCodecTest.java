package dev.cove.rpc.codec;

import com.esotericsoftware.kryo.KryoException;
import dev.cove.rpc.Nullable;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KryoCodecTest {
    enum Color { RED, GREEN }

    sealed interface Shape permits Circle, Square { }

    record Circle(double r) implements Shape { }

    record Square(double side) implements Shape { }

    record Inner(String name, Color color) { }

    record Outer(String id, long count, int small, boolean flag, @Nullable String maybe, Instant at,
                 List<Inner> inners, Map<String, Object> data, Set<String> tags, Shape shape, byte[] blob) { }

    record Other(String id, long count) { }

    private static KryoCodec codec(Class<?>... roots) {
        return new KryoCodec(TypeGraph.of(List.of(roots)), 1 << 20);
    }

    @Test
    void roundTripsRecordsWithCollectionsEnumsSealedAndNulls() {
        KryoCodec c = codec(Outer.class);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("n", 3);
        data.put("nested", Map.of("list", List.of(1L, "two", 3.5, true)));
        Outer in = new Outer("x", 42L, 7, true, null, Instant.parse("2026-01-02T03:04:05Z"),
                List.of(new Inner("a", Color.GREEN), new Inner("b", Color.RED)), data, Set.of("t"),
                new Square(2.5), new byte[]{1, 2, 3});
        Outer out = c.decode(c.encode(in), Outer.class);
        assertEquals(in.id(), out.id());
        assertEquals(in.count(), out.count());
        assertNull(out.maybe());
        assertEquals(in.inners(), out.inners());
        assertEquals(in.data(), out.data());
        assertEquals(in.tags(), out.tags());
        assertEquals(in.shape(), out.shape());
        assertEquals(in.at(), out.at());
        assertEquals(Arrays.toString(in.blob()), Arrays.toString(out.blob()));
    }

    @Test
    void anyListOrMapImplementationTravels() {
        KryoCodec c = codec(Outer.class);
        List<Inner> inners = new ArrayList<>(List.of(new Inner("a", Color.RED))).subList(0, 1);
        Outer in = new Outer("x", 1, 1, false, "m", Instant.EPOCH, inners,
                java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(Map.of("k", "v"))),
                new java.util.TreeSet<>(Set.of("b", "a")), new Circle(1), new byte[0]);
        Outer out = c.decode(c.encode(in), Outer.class);
        assertEquals(List.of(new Inner("a", Color.RED)), out.inners());
        assertEquals(Map.of("k", "v"), out.data());
    }

    @Test
    void fingerprintChangesWithShape() {
        assertNotEquals(codec(Outer.class).fingerprint(), codec(Other.class).fingerprint());
        assertEquals(codec(Outer.class).fingerprint(), codec(Outer.class).fingerprint());
    }

    @Test
    void refusesBytesOfAnotherType() {
        KryoCodec c = codec(Outer.class, Other.class);
        byte[] other = c.encode(new Other("x", 1));
        assertThrows(KryoException.class, () -> c.decode(other, Outer.class));
    }

    @Test
    void hostileCollectionSizeDoesNotAllocate() {
        KryoCodec c = codec(Outer.class);
        // class id of ArrayList (registered in the base list) followed by a varint claiming 2^31-1 elements
        byte[] list = c.encode(new ArrayList<>(List.of("a")));
        byte[] hostile = Arrays.copyOf(list, 6);
        hostile[1] = (byte) 0xff;
        hostile[2] = (byte) 0xff;
        hostile[3] = (byte) 0xff;
        hostile[4] = (byte) 0xff;
        hostile[5] = (byte) 0x07;
        assertThrows(KryoException.class, () -> c.decode(hostile, Object.class));
    }

    @Test
    void garbageIsAnErrorNotAValue() {
        KryoCodec c = codec(Outer.class);
        assertThrows(RuntimeException.class, () -> c.decode(new byte[]{(byte) 0x7f, 1, 2, 3}, Outer.class));
    }

    @Test
    void trailingBytesAreRefused() {
        KryoCodec c = codec(Other.class);
        byte[] ok = c.encode(new Other("x", 1));
        byte[] longer = Arrays.copyOf(ok, ok.length + 1);
        assertThrows(KryoException.class, () -> c.decode(longer, Other.class));
    }
}
