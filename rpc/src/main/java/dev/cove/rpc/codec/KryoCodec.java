package dev.cove.rpc.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.Pool;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Kryo payloads for one type graph (one method's input and output, or one event type).
 *
 * <p>Registration is required, so the wire never names a class: ids are assigned from a fixed list
 * of JDK types followed by the graph's contract classes in name order. Both sides derive the same
 * ids from the same contract classes, and the graph's fingerprint travels with each Kryo request so
 * a mismatch is refused instead of decoded into garbage. Collections of any implementation travel
 * as ArrayList / LinkedHashMap / LinkedHashSet.
 */
public final class KryoCodec {
    /** Bumped when the fixed base registrations change. */
    private static final String BASE_VERSION = "kryo-base-1";
    private static final int FIRST_ID = 20;
    private static final int MAX_DEPTH = 64;
    private static final List<Class<?>> BASE = List.of(
            Integer.class, Long.class, Double.class, Float.class, Boolean.class, Short.class, Byte.class,
            Character.class, byte[].class, ArrayList.class, LinkedHashMap.class, LinkedHashSet.class,
            Instant.class, Duration.class, LocalDate.class, UUID.class, BigDecimal.class, BigInteger.class,
            int[].class, long[].class, double[].class, String[].class);

    private final TypeGraph graph;
    private final String fingerprint;
    private final int maxBytes;
    private final Pool<Slot> pool;

    private record Slot(Kryo kryo, Output output) {
    }

    public KryoCodec(TypeGraph graph, int maxBytes) {
        this.graph = graph;
        this.fingerprint = TypeGraph.digest(BASE_VERSION + graph.fingerprint());
        this.maxBytes = maxBytes;
        this.pool = new Pool<>(true, false, 256) {
            @Override
            protected Slot create() {
                return new Slot(newKryo(), new Output(512, maxBytes));
            }
        };
    }

    public String fingerprint() {
        return fingerprint;
    }

    public TypeGraph graph() {
        return graph;
    }

    public byte[] encode(Object value) {
        Slot slot = pool.obtain();
        try {
            Output out = slot.output();
            out.reset();
            slot.kryo().writeClassAndObject(out, value);
            return out.toBytes();
        } finally {
            pool.free(slot);
        }
    }

    /** Decodes bytes that must hold a {@code type}; anything else is a {@link KryoException}. */
    public <T> T decode(byte[] bytes, Class<T> type) {
        Slot slot = pool.obtain();
        try {
            Input in = new BoundedInput(bytes);
            Object value = slot.kryo().readClassAndObject(in);
            if (in.position() != bytes.length) {
                throw new KryoException((bytes.length - in.position()) + " trailing bytes after the value");
            }
            if (value != null && !type.isInstance(value)) {
                throw new KryoException("expected " + type.getSimpleName() + " but the bytes hold "
                        + value.getClass().getSimpleName());
            }
            return type.cast(value);
        } catch (StackOverflowError e) {
            throw new KryoException("value nested too deeply");
        } finally {
            pool.free(slot);
        }
    }

    private Kryo newKryo() {
        Kryo kryo = new Kryo(new CollectionRoutingResolver(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        int id = FIRST_ID;
        for (Class<?> c : BASE) {
            if (c == ArrayList.class) {
                kryo.register(c, new ListSerializer(), id++);
            } else if (c == LinkedHashMap.class) {
                kryo.register(c, new MapSerializer(), id++);
            } else if (c == LinkedHashSet.class) {
                kryo.register(c, new SetSerializer(), id++);
            } else if (c == Instant.class) {
                kryo.register(c, new InstantSerializer(), id++);
            } else if (c == Duration.class) {
                kryo.register(c, new DurationSerializer(), id++);
            } else if (c == LocalDate.class) {
                kryo.register(c, new LocalDateSerializer(), id++);
            } else if (c == UUID.class) {
                kryo.register(c, new UuidSerializer(), id++);
            } else if (c == BigDecimal.class) {
                kryo.register(c, new DefaultSerializers.BigDecimalSerializer(), id++);
            } else if (c == String[].class) {
                kryo.register(c, new CheckedStringArraySerializer(), id++);
            } else if (c == BigInteger.class) {
                kryo.register(c, new DefaultSerializers.BigIntegerSerializer(), id++);
            } else {
                kryo.register(c, id++);
            }
        }
        for (Class<?> c : graph.classes()) {
            if (c.isRecord()) {
                kryo.register(c, new RecordSerializer<>(c), id++);
            } else if (c.isEnum()) {
                kryo.register(c, id++);
            } else {
                id++; // sealed interfaces keep their slot so ids stay aligned with the fingerprint
            }
        }
        return kryo;
    }

    /** Sends every List, Map, Set and enum-constant body to the one registration for its family. */
    private static final class CollectionRoutingResolver extends DefaultClassResolver {
        @Override
        public Registration getRegistration(Class type) {
            Registration r = super.getRegistration(type);
            if (r != null) {
                return r;
            }
            if (List.class.isAssignableFrom(type)) {
                return super.getRegistration(ArrayList.class);
            }
            if (Map.class.isAssignableFrom(type)) {
                return super.getRegistration(LinkedHashMap.class);
            }
            if (Set.class.isAssignableFrom(type)) {
                return super.getRegistration(LinkedHashSet.class);
            }
            if (Collection.class.isAssignableFrom(type)) {
                return super.getRegistration(ArrayList.class);
            }
            if (Enum.class.isAssignableFrom(type) && !type.isEnum()) {
                return super.getRegistration(type.getSuperclass());
            }
            return null;
        }
    }

    private static int checkedSize(Kryo kryo, Input in, int perElement) {
        int size = in.readVarInt(true);
        // every element takes at least one byte, so a larger count is a lie meant to allocate
        if (size < 0 || (long) size * perElement > in.limit() - in.position()) {
            throw new KryoException("collection claims " + size + " elements but the payload is too short");
        }
        if (kryo.getDepth() > MAX_DEPTH) {
            throw new KryoException("value nested more than " + MAX_DEPTH + " levels");
        }
        return size;
    }

    private static final class ListSerializer extends Serializer<Collection<?>> {
        @Override
        public void write(Kryo kryo, Output out, Collection<?> list) {
            out.writeVarInt(list.size(), true);
            for (Object o : list) {
                kryo.writeClassAndObject(out, o);
            }
        }

        @Override
        public Collection<?> read(Kryo kryo, Input in, Class<? extends Collection<?>> type) {
            int size = checkedSize(kryo, in, 1);
            ArrayList<Object> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                list.add(kryo.readClassAndObject(in));
            }
            return list;
        }
    }

    private static final class SetSerializer extends Serializer<Set<?>> {
        @Override
        public void write(Kryo kryo, Output out, Set<?> set) {
            out.writeVarInt(set.size(), true);
            for (Object o : set) {
                kryo.writeClassAndObject(out, o);
            }
        }

        @Override
        public Set<?> read(Kryo kryo, Input in, Class<? extends Set<?>> type) {
            int size = checkedSize(kryo, in, 1);
            LinkedHashSet<Object> set = new LinkedHashSet<>();
            for (int i = 0; i < size; i++) {
                set.add(kryo.readClassAndObject(in));
            }
            return set;
        }
    }

    private static final class MapSerializer extends Serializer<Map<?, ?>> {
        @Override
        public void write(Kryo kryo, Output out, Map<?, ?> map) {
            out.writeVarInt(map.size(), true);
            for (Map.Entry<?, ?> e : map.entrySet()) {
                kryo.writeClassAndObject(out, e.getKey());
                kryo.writeClassAndObject(out, e.getValue());
            }
        }

        @Override
        public Map<?, ?> read(Kryo kryo, Input in, Class<? extends Map<?, ?>> type) {
            int size = checkedSize(kryo, in, 2);
            LinkedHashMap<Object, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                Object k = kryo.readClassAndObject(in);
                map.put(k, kryo.readClassAndObject(in));
            }
            return map;
        }
    }

    // JDK value types get explicit serializers: the reflective default cannot open java.base on JDK 17+.

    private static final class InstantSerializer extends Serializer<Instant> {
        @Override
        public void write(Kryo kryo, Output out, Instant v) {
            out.writeVarLong(v.getEpochSecond(), false);
            out.writeVarInt(v.getNano(), true);
        }

        @Override
        public Instant read(Kryo kryo, Input in, Class<? extends Instant> type) {
            return Instant.ofEpochSecond(in.readVarLong(false), in.readVarInt(true));
        }
    }

    private static final class DurationSerializer extends Serializer<Duration> {
        @Override
        public void write(Kryo kryo, Output out, Duration v) {
            out.writeVarLong(v.getSeconds(), false);
            out.writeVarInt(v.getNano(), true);
        }

        @Override
        public Duration read(Kryo kryo, Input in, Class<? extends Duration> type) {
            return Duration.ofSeconds(in.readVarLong(false), in.readVarInt(true));
        }
    }

    private static final class LocalDateSerializer extends Serializer<LocalDate> {
        @Override
        public void write(Kryo kryo, Output out, LocalDate v) {
            out.writeVarLong(v.toEpochDay(), false);
        }

        @Override
        public LocalDate read(Kryo kryo, Input in, Class<? extends LocalDate> type) {
            return LocalDate.ofEpochDay(in.readVarLong(false));
        }
    }

    private static final class UuidSerializer extends Serializer<UUID> {
        @Override
        public void write(Kryo kryo, Output out, UUID v) {
            out.writeLong(v.getMostSignificantBits());
            out.writeLong(v.getLeastSignificantBits());
        }

        @Override
        public UUID read(Kryo kryo, Input in, Class<? extends UUID> type) {
            return new UUID(in.readLong(), in.readLong());
        }
    }

    /**
     * Refuses declared lengths (strings, primitive arrays) longer than the bytes left before anything is
     * allocated: Kryo itself allocates the declared size first, so a few bytes claiming a billion
     * characters would make the daemon allocate gigabytes.
     */
    private static final class BoundedInput extends Input {
        BoundedInput(byte[] bytes) {
            super(bytes);
        }

        private void check(long elements) {
            // a negative claim would reach `new T[n]` as a NegativeArraySizeException, not a refusal
            if (elements < 0 || elements > limit - position) {
                throw new KryoException("a value claims " + elements + " elements but the payload has "
                        + (limit - position) + " bytes left");
            }
        }

        /** The character count of a UTF-8 string header (bit 0x80 of the first byte), checked without consuming it. */
        private void checkString() {
            int p = position;
            if (p >= limit) {
                return;
            }
            int b = buffer[p++];
            if ((b & 0x80) == 0) {
                return; // ASCII: read byte by byte up to its end marker, nothing allocated up front
            }
            // the same int arithmetic as Kryo's readUtf8Length, so a claim that wraps negative there is seen here
            int count = b & 0x3F;
            if ((b & 0x40) != 0) {
                for (int shift = 6; shift <= 27 && p < limit; shift += 7) {
                    b = buffer[p++];
                    count |= (b & 0x7F) << shift;
                    if ((b & 0x80) == 0) {
                        break;
                    }
                }
            }
            if (count < 0 || (long) count - 1 > limit - p) {
                throw new KryoException("a string claims " + (count - 1) + " characters but the payload has "
                        + (limit - p) + " bytes left");
            }
        }

        @Override
        public String readString() {
            checkString();
            return super.readString();
        }

        @Override
        public StringBuilder readStringBuilder() {
            checkString();
            return super.readStringBuilder();
        }

        @Override
        public byte[] readBytes(int length) {
            check(length);
            return super.readBytes(length);
        }

        @Override
        public int[] readInts(int length) {
            check(length);
            return super.readInts(length);
        }

        @Override
        public int[] readInts(int length, boolean optimizePositive) {
            check(length);
            return super.readInts(length, optimizePositive);
        }

        @Override
        public long[] readLongs(int length) {
            check(length);
            return super.readLongs(length);
        }

        @Override
        public long[] readLongs(int length, boolean optimizePositive) {
            check(length);
            return super.readLongs(length, optimizePositive);
        }

        @Override
        public float[] readFloats(int length) {
            check(length);
            return super.readFloats(length);
        }

        @Override
        public double[] readDoubles(int length) {
            check(length);
            return super.readDoubles(length);
        }

        @Override
        public short[] readShorts(int length) {
            check(length);
            return super.readShorts(length);
        }

        @Override
        public char[] readChars(int length) {
            check(length);
            return super.readChars(length);
        }

        @Override
        public boolean[] readBooleans(int length) {
            check(length);
            return super.readBooleans(length);
        }
    }

    /** Kryo's String[] format, with the declared length checked before the array is allocated. */
    private static final class CheckedStringArraySerializer
            extends com.esotericsoftware.kryo.serializers.DefaultArraySerializers.StringArraySerializer {
        @Override
        public String[] read(Kryo kryo, Input in, Class type) {
            int length = in.readVarInt(true);
            if (length == 0) {
                return null;
            }
            length--;
            if (length < 0 || length > in.limit() - in.position()) {
                throw new KryoException("an array claims " + length + " strings but the payload is too short");
            }
            String[] array = new String[length];
            for (int i = 0; i < length; i++) {
                array[i] = in.readString();
            }
            return array;
        }
    }
}
