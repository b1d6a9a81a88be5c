package dev.cove.rpc.wire;

import java.io.IOException;

/** A peer sent more than the frame limit without a newline. */
public final class FrameTooLargeException extends IOException {
    private final transient byte[] head;

    public FrameTooLargeException(int limit) {
        this(limit, new byte[0]);
    }

    /** {@code head}: the first bytes of the refused frame, where its id usually is. */
    public FrameTooLargeException(int limit, byte[] head) {
        super("frame exceeds the limit of " + limit + " bytes");
        this.head = head;
    }

    /** The first bytes of the refused frame (at most a few KiB; empty if unknown). */
    public byte[] head() {
        return head;
    }
}
