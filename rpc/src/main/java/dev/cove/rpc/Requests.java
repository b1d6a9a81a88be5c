package dev.cove.rpc;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/** Reads a {@link Request} class's method and result type once and caches them. */
public final class Requests {
    /** The method and result type of one request class. */
    public record Info(MethodName method, Class<?> resultType) {
    }

    private static final ClassValue<Info> CACHE = new ClassValue<>() {
        @Override
        protected Info computeValue(Class<?> type) {
            return inspect(type);
        }
    };

    private Requests() {
    }

    public static Info info(Class<?> requestType) {
        return CACHE.get(requestType);
    }

    private static Info inspect(Class<?> type) {
        Method m = type.getAnnotation(Method.class);
        if (m == null) {
            throw new IllegalArgumentException(type.getName() + " implements Request but has no @Method annotation");
        }
        Class<?> result = resultType(type, Request.class);
        if (result == null) {
            throw new IllegalArgumentException(type.getName() + " must implement Request<ResultType> directly");
        }
        return new Info(MethodName.parse(m.value()), result);
    }

    /** The class given as the single type argument of {@code iface} on {@code type}, or null. */
    public static Class<?> resultType(Class<?> type, Class<?> iface) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType pt && pt.getRawType() == iface) {
                    return raw(pt.getActualTypeArguments()[0]);
                }
            }
        }
        return null;
    }

    static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType pt) {
            return (Class<?>) pt.getRawType();
        }
        return Object.class;
    }
}
