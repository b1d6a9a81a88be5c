package dev.cove.rpc.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Splits a byte stream into newline-terminated frames without ever holding more than the frame
 * limit (plus one read) in memory. The buffer starts small and grows only as a frame needs it.
 */
public final class LineReader {
    /** Receives each frame; the bytes are only valid during the call. */
    public interface Sink {
        void frame(byte[] buf, int off, int len) throws IOException;
    }

    /**
     * Memory shared by many readers for frames larger than the initial buffer: a reader must reserve
     * what it grows by, so that many connections each sending a large frame cannot together exhaust
     * the heap. {@link #NONE} sets no shared limit.
     */
    public interface Budget {
        Budget NONE = new Budget() {
            @Override
            public boolean tryReserve(long bytes) {
                return true;
            }

            @Override
            public void release(long bytes) {
            }
        };

        boolean tryReserve(long bytes);

        void release(long bytes);
    }

    /** Thrown when a frame needs more buffer than the shared {@link Budget} has left. */
    public static final class BudgetExceededException extends IOException {
        public BudgetExceededException(String message) {
            super(message);
        }
    }

    private static final int INITIAL = 16 * 1024;
    private final ReadableByteChannel channel;
    private final int maxFrame;
    private final Budget budget;
    private byte[] buf = new byte[INITIAL];
    private int start;
    private int end;
    private int scanned;

    public LineReader(ReadableByteChannel channel, int maxFrame) {
        this(channel, maxFrame, Budget.NONE);
    }

    public LineReader(ReadableByteChannel channel, int maxFrame, Budget budget) {
        this.channel = channel;
        this.maxFrame = maxFrame;
        this.budget = budget;
    }

    /** Gives back what this reader reserved from the budget; call once the reader is no longer used. */
    public void release() {
        if (buf.length > INITIAL) {
            budget.release(buf.length - INITIAL);
            buf = new byte[INITIAL];
            start = end = scanned = 0;
        }
    }

    /**
     * Reads once from the channel and hands every complete frame to the sink.
     *
     * @return false at end of stream
     * @throws FrameTooLargeException when a frame grows past the limit
     */
    public boolean readOnce(Sink sink) throws IOException {
        if (end == buf.length) {
            makeRoom();
        }
        int n = channel.read(ByteBuffer.wrap(buf, end, buf.length - end));
        if (n < 0) {
            return false;
        }
        end += n;
        int i = scanned;
        while (i < end) {
            if (buf[i] == '\n') {
                int len = i - start;
                if (len > 0 && !(len == 1 && buf[start] == '\r')) {
                    int l = buf[i - 1] == '\r' ? len - 1 : len;
                    sink.frame(buf, start, l);
                }
                start = i + 1;
            }
            i++;
        }
        scanned = end;
        if (end - start > maxFrame) {
            throw tooLarge();
        }
        if (start == end) {
            start = end = scanned = 0;
            release(); // a large frame is done: give its buffer back
        }
        return true;
    }

    /** Keeps the start of the refused frame, so that the refusal can name the request's id. */
    private FrameTooLargeException tooLarge() {
        return new FrameTooLargeException(maxFrame,
                java.util.Arrays.copyOfRange(buf, start, start + Math.min(HEAD, end - start)));
    }

    private static final int HEAD = 4096;

    private void makeRoom() throws IOException {
        int pending = end - start;
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, pending);
            end = pending;
            scanned -= start;
            start = 0;
            if (end < buf.length) {
                return;
            }
        }
        if (buf.length > maxFrame) {
            throw tooLarge();
        }
        byte[] bigger = new byte[(int) Math.min((long) buf.length * 2, (long) maxFrame + 2)];
        if (!budget.tryReserve(bigger.length - buf.length)) {
            throw new BudgetExceededException("the daemon is already buffering its limit of large frames");
        }
        System.arraycopy(buf, 0, bigger, 0, end);
        buf = bigger;
    }
}
