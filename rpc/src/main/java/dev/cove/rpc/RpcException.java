package dev.cove.rpc;

import java.util.Map;

/** An error with a stable {@link ErrorCode}, a message a person can act on and optional details. */
public class RpcException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public RpcException(ErrorCode code, String message) {
        this(code, message, Map.of(), null);
    }

    public RpcException(ErrorCode code, String message, Map<String, Object> details) {
        this(code, message, details, null);
    }

    public RpcException(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public static RpcException notFound(String message) {
        return new RpcException(ErrorCode.NOT_FOUND, message);
    }

    public static RpcException invalidInput(String message) {
        return new RpcException(ErrorCode.INVALID_INPUT, message);
    }

    public static RpcException conflict(String message) {
        return new RpcException(ErrorCode.CONFLICT, message);
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
