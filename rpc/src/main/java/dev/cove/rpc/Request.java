package dev.cove.rpc;

/**
 * A call's input: a record annotated with {@link Method} whose type argument is the result type.
 * {@code record Ping() implements Request<Pong>} lets a client write {@code client.call(new Ping())}
 * and get a {@code Pong} back.
 */
public interface Request<R> {
}
