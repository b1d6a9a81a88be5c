package dev.cove.rpc.wire;

/** Constants of wire protocol v1 (docs/protocol.md). */
public final class Protocol {
    public static final int VERSION = 1;
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    private Protocol() {
    }
}
