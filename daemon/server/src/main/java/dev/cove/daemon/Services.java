package dev.cove.daemon;

import dev.cove.rpc.server.HandlerFactory;

import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The daemon's shared components by type, and the factory that builds operation handlers from them:
 * a handler asks for what it needs in its constructor ({@code PingOp(DaemonRuntime runtime)}).
 */
public final class Services implements HandlerFactory {
    private final Map<Class<?>, Object> byType = new LinkedHashMap<>();

    public <T> Services put(Class<T> type, T instance) {
        byType.put(type, instance);
        return this;
    }

    public <T> T get(Class<T> type) {
        Object o = byType.get(type);
        if (o == null) {
            throw new IllegalStateException("no service of type " + type.getName());
        }
        return type.cast(o);
    }

    @Override
    public Object create(Class<?> handlerClass) throws Exception {
        Constructor<?>[] ctors = handlerClass.getConstructors();
        if (ctors.length == 0) {
            throw new IllegalStateException(handlerClass.getName() + " needs a public constructor");
        }
        Constructor<?> ctor = Arrays.stream(ctors).max(Comparator.comparingInt(Constructor::getParameterCount))
                .orElseThrow();
        Class<?>[] types = ctor.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Object o = byType.get(types[i]);
            if (o == null) {
                throw new IllegalStateException(handlerClass.getName() + " asks for a " + types[i].getName()
                        + ", which the daemon does not provide; available: "
                        + byType.keySet().stream().map(Class::getSimpleName).toList());
            }
            args[i] = o;
        }
        return ctor.newInstance(args);
    }
}
