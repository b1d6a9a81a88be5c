package dev.cove.rpc.server;

/** Creates handler instances; a daemon plugs in its own to inject its services. */
@FunctionalInterface
public interface HandlerFactory {
    Object create(Class<?> handlerClass) throws Exception;

    /** Calls the public no-argument constructor. */
    static HandlerFactory noArgs() {
        return type -> type.getDeclaredConstructor().newInstance();
    }
}
