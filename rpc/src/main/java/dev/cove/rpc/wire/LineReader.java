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

    private final ReadableByteChannel channel;
    private final int maxFrame;
    private byte[] buf = new byte[16 * 1024];
    private int start;
    private int end;
    private int scanned;

    public LineReader(ReadableByteChannel channel, int maxFrame) {
        this.channel = channel;
        this.maxFrame = maxFrame;
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
            throw new FrameTooLargeException(maxFrame);
        }
        if (start == end) {
            start = end = scanned = 0;
        }
        return true;
    }

    private void makeRoom() throws FrameTooLargeException {
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
            throw new FrameTooLargeException(maxFrame);
        }
        byte[] bigger = new byte[(int) Math.min((long) buf.length * 2, (long) maxFrame + 2)];
        System.arraycopy(buf, 0, bigger, 0, end);
        buf = bigger;
    }
}
