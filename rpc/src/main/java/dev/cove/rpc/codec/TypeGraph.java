package dev.cove.rpc.codec;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The contract classes reachable from a set of root types: records, their components' types,
 * enums and the permitted subclasses of sealed interfaces. JDK types (strings, numbers,
 * collections, time) are leaves. The graph's fingerprint changes whenever a class, a component,
 * a component's type or an enum constant changes, which is what Kryo's positional encoding needs.
 */
public final class TypeGraph {
    private final Map<String, Class<?>> classes;
    private final String fingerprint;

    private TypeGraph(Map<String, Class<?>> classes) {
        this.classes = classes;
        this.fingerprint = computeFingerprint(classes.values());
    }

    public static TypeGraph of(Collection<Class<?>> roots) {
        Map<String, Class<?>> found = new TreeMap<>();
        Deque<Type> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            Type t = todo.pop();
            if (t instanceof ParameterizedType pt) {
                todo.push(pt.getRawType());
                for (Type arg : pt.getActualTypeArguments()) {
                    todo.push(arg);
                }
            } else if (t instanceof GenericArrayType gat) {
                todo.push(gat.getGenericComponentType());
            } else if (t instanceof WildcardType wt) {
                for (Type b : wt.getUpperBounds()) {
                    todo.push(b);
                }
            } else if (t instanceof Class<?> c) {
                if (c.isArray()) {
                    todo.push(c.getComponentType());
                    continue;
                }
                if (isLeaf(c) || found.containsKey(c.getName())) {
                    continue;
                }
                if (c.isRecord()) {
                    found.put(c.getName(), c);
                    for (RecordComponent rc : c.getRecordComponents()) {
                        todo.push(rc.getGenericType());
                    }
                } else if (c.isEnum()) {
                    found.put(c.getName(), c);
                } else if (c.isSealed()) {
                    found.put(c.getName(), c);
                    for (Class<?> p : c.getPermittedSubclasses()) {
                        todo.push(p);
                    }
                } else if (c.isInterface() && c.getPackageName().startsWith("dev.cove.rpc")) {
                    continue; // framework marker interfaces such as Request and Event
                } else {
                    throw new IllegalArgumentException("contract type " + c.getName()
                            + " is not a record, enum or sealed interface; contracts must be plain data");
                }
            }
        }
        return new TypeGraph(found);
    }

    /** Contract classes in a stable order (by name). */
    public Collection<Class<?>> classes() {
        return classes.values();
    }

    /** 16 hex digits that change whenever the shape of any class in the graph changes. */
    public String fingerprint() {
        return fingerprint;
    }

    static boolean isLeaf(Class<?> c) {
        return c.isPrimitive() || c == Object.class || c == String.class || Number.class.isAssignableFrom(c)
                || c == Boolean.class || c == Character.class || c.getName().startsWith("java.")
                || c.getName().startsWith("javax.");
    }

    private static String computeFingerprint(Collection<Class<?>> classes) {
        StringBuilder sb = new StringBuilder();
        for (Class<?> c : classes) {
            sb.append(c.getName()).append('{');
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    sb.append(rc.getName()).append(':').append(rc.getGenericType().getTypeName()).append(';');
                }
            } else if (c.isEnum()) {
                for (Object e : c.getEnumConstants()) {
                    sb.append(((Enum<?>) e).name()).append(';');
                }
            } else if (c.isSealed()) {
                for (Class<?> p : c.getPermittedSubclasses()) {
                    sb.append(p.getName()).append(';');
                }
            }
            sb.append('}');
        }
        return digest(sb.toString());
    }

    public static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Set of names, for tests and diagnostics. */
    public Set<String> names() {
        return classes.keySet();
    }
}
