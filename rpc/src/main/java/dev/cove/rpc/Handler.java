package dev.cove.rpc;

/**
 * One operation. Implementations are annotated with {@link Query} or {@link Action}, found by
 * classpath scanning and instantiated once; {@code handle} runs concurrently on many threads.
 *
 * <p>Throw {@link RpcException} for an error with a specific code; {@link IllegalArgumentException}
 * becomes INVALID_INPUT and anything else EXECUTION_ERROR.
 */
public interface Handler<I extends Request<O>, O> {
    O handle(I input, CallContext context) throws Exception;
}
