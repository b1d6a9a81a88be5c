package dev.cove.rpc.wire;

import java.io.IOException;

/** A peer sent more than the frame limit without a newline. */
public final class FrameTooLargeException extends IOException {
    public FrameTooLargeException(int limit) {
        super("frame exceeds the limit of " + limit + " bytes");
    }
}
