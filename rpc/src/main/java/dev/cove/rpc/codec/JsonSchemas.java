package dev.cove.rpc.codec;

import dev.cove.rpc.Default;
import dev.cove.rpc.Nullable;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * JSON Schema (2020-12 vocabulary) of contract types, as published by {@code core.methods}. Records
 * become objects whose components are required unless marked {@link Nullable} or given a {@link Default}
 * (published as {@code default}); enums list their
 * constants; sealed interfaces become {@code oneOf}. {@code x-java-type} keeps the record's simple
 * name so generated clients (GraphQL) can name their types after it.
 */
public final class JsonSchemas {
    private JsonSchemas() {
    }

    public static Map<String, Object> of(Type type) {
        return schema(type, new HashSet<>());
    }

    private static Map<String, Object> schema(Type type, Set<Class<?>> inProgress) {
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                Map<String, Object> s = obj("type", "array", "items", schema(args[0], inProgress));
                if (Set.class.isAssignableFrom(raw)) {
                    s.put("uniqueItems", true);
                }
                return s;
            }
            if (Map.class.isAssignableFrom(raw)) {
                return obj("type", "object", "additionalProperties", schema(args[1], inProgress));
            }
            if (raw == java.util.Optional.class) {
                return schema(args[0], inProgress);
            }
            return schema(raw, inProgress);
        }
        if (type instanceof WildcardType wt) {
            return schema(wt.getUpperBounds()[0], inProgress);
        }
        if (type instanceof GenericArrayType gat) {
            return obj("type", "array", "items", schema(gat.getGenericComponentType(), inProgress));
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class || c == char.class || c == Character.class) {
            return obj("type", "string");
        }
        if (c == boolean.class || c == Boolean.class) {
            return obj("type", "boolean");
        }
        if (c == int.class || c == Integer.class || c == short.class || c == Short.class || c == byte.class
                || c == Byte.class) {
            return obj("type", "integer", "format", "int32");
        }
        if (c == long.class || c == Long.class || c == java.math.BigInteger.class) {
            return obj("type", "integer", "format", "int64");
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class
                || c == java.math.BigDecimal.class) {
            return obj("type", "number");
        }
        if (c == Instant.class) {
            return obj("type", "string", "format", "date-time");
        }
        if (c == LocalDate.class) {
            return obj("type", "string", "format", "date");
        }
        if (c == Duration.class) {
            return obj("type", "string", "format", "duration");
        }
        if (c == UUID.class) {
            return obj("type", "string", "format", "uuid");
        }
        if (c == byte[].class) {
            return obj("type", "string", "contentEncoding", "base64");
        }
        if (c.isArray()) {
            return obj("type", "array", "items", schema(c.getComponentType(), inProgress));
        }
        if (Collection.class.isAssignableFrom(c)) {
            return obj("type", "array");
        }
        if (Map.class.isAssignableFrom(c)) {
            return obj("type", "object");
        }
        if (c.isEnum()) {
            List<String> names = Arrays.stream(c.getEnumConstants()).map(e -> ((Enum<?>) e).name()).toList();
            return obj("type", "string", "enum", names, "x-java-type", c.getSimpleName());
        }
        if (c.isRecord()) {
            if (!inProgress.add(c)) {
                return obj("type", "object", "x-java-type", c.getSimpleName(), "x-recursive", true);
            }
            Map<String, Object> props = new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                Map<String, Object> ps = schema(rc.getGenericType(), inProgress);
                props.put(rc.getName(), ps);
                Default d = rc.getAnnotation(Default.class);
                if (d != null) {
                    ps = new LinkedHashMap<>(ps);
                    ps.put("default", literal(d.value(), c, rc));
                    props.put(rc.getName(), ps);
                    continue;
                }
                if (rc.isAnnotationPresent(Nullable.class) || rc.getType() == java.util.Optional.class) {
                    continue;
                }
                required.add(rc.getName());
            }
            inProgress.remove(c);
            Map<String, Object> s = obj("type", "object", "x-java-type", c.getSimpleName(), "properties", props,
                    "additionalProperties", false);
            if (!required.isEmpty()) {
                s.put("required", required);
            }
            return s;
        }
        if (c.isSealed()) {
            List<Object> options = new ArrayList<>();
            for (Class<?> p : c.getPermittedSubclasses()) {
                options.add(schema(p, inProgress));
            }
            return obj("oneOf", options, "x-java-type", c.getSimpleName());
        }
        return obj(); // Object: any JSON value
    }

    /** A {@link Default}'s JSON literal as the value the schema map holds. */
    private static Object literal(String text, Class<?> owner, RecordComponent rc) {
        try {
            return Json.MAPPER.readValue(text, Object.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("@Default(\"" + text + "\") on " + owner.getName() + "." + rc.getName()
                    + " is not a JSON literal", e);
        }
    }

    private static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
