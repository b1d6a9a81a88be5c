package dev.cove.daemon.sessions;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The points of one series from one write, as a blob: a count, the times as zig-zag varint deltas
 * (high-rate points are often 0-1 ms apart: one byte each), then the values as 8-byte doubles, the
 * whole deflated when that pays. Storing a chunk per write instead of a row per point keeps an app
 * logging 100,000 points a second at a few rows a second.
 */
public final class MetricChunk {
    private static final byte RAW = 1;
    private static final byte DEFLATED = 2;
    private static final int DEFLATE_FROM = 64;

    /** Points in time order of arrival; {@code times[i]} goes with {@code values[i]}. */
    public record Points(long[] times, double[] values) {
        public int size() {
            return times.length;
        }
    }

    private MetricChunk() {
    }

    public static byte[] encode(long[] times, double[] values) {
        int n = times.length;
        ByteBuffer buf = ByteBuffer.allocate(5 + n * 10 + n * 8);
        putVarLong(buf, n);
        long prev = 0;
        for (int i = 0; i < n; i++) {
            putVarLong(buf, zigzag(times[i] - prev));
            prev = times[i];
        }
        for (int i = 0; i < n; i++) {
            buf.putLong(Double.doubleToRawLongBits(values[i]));
        }
        byte[] raw = new byte[buf.position()];
        buf.flip().get(raw);
        if (n >= DEFLATE_FROM) {
            Deflater d = new Deflater(Deflater.BEST_SPEED);
            try {
                d.setInput(raw);
                d.finish();
                ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 16);
                out.write(DEFLATED);
                ByteBuffer len = ByteBuffer.allocate(5);
                putVarLong(len, raw.length);
                out.write(len.array(), 0, len.position());
                byte[] chunk = new byte[64 * 1024];
                while (!d.finished()) {
                    int k = d.deflate(chunk);
                    out.write(chunk, 0, k);
                }
                if (out.size() < raw.length) {
                    return out.toByteArray();
                }
            } finally {
                d.end();
            }
        }
        byte[] blob = new byte[raw.length + 1];
        blob[0] = RAW;
        System.arraycopy(raw, 0, blob, 1, raw.length);
        return blob;
    }

    public static Points decode(byte[] blob) {
        ByteBuffer buf;
        if (blob[0] == DEFLATED) {
            ByteBuffer head = ByteBuffer.wrap(blob, 1, blob.length - 1);
            int rawLength = (int) getVarLong(head);
            byte[] raw = new byte[rawLength];
            Inflater inf = new Inflater();
            try {
                inf.setInput(blob, head.position(), blob.length - head.position());
                int got = 0;
                while (got < rawLength && !inf.finished()) {
                    int k = inf.inflate(raw, got, rawLength - got);
                    if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                        break;
                    }
                    got += k;
                }
                if (got != rawLength) {
                    throw new IllegalStateException("metric chunk is damaged: " + got + " of " + rawLength + " bytes");
                }
            } catch (DataFormatException e) {
                throw new IllegalStateException("metric chunk is damaged: " + e.getMessage(), e);
            } finally {
                inf.end();
            }
            buf = ByteBuffer.wrap(raw);
        } else if (blob[0] == RAW) {
            buf = ByteBuffer.wrap(blob, 1, blob.length - 1);
        } else {
            throw new IllegalStateException("unknown metric chunk format " + blob[0]);
        }
        int n = (int) getVarLong(buf);
        long[] times = new long[n];
        double[] values = new double[n];
        long prev = 0;
        for (int i = 0; i < n; i++) {
            prev += unzigzag(getVarLong(buf));
            times[i] = prev;
        }
        for (int i = 0; i < n; i++) {
            values[i] = Double.longBitsToDouble(buf.getLong());
        }
        return new Points(times, values);
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static void putVarLong(ByteBuffer buf, long v) {
        while ((v & ~0x7FL) != 0) {
            buf.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buf.put((byte) v);
    }

    private static long getVarLong(ByteBuffer buf) {
        long v = 0;
        int shift = 0;
        while (true) {
            byte b = buf.get();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
            shift += 7;
            if (shift > 63) {
                throw new IllegalStateException("metric chunk is damaged: varint too long");
            }
        }
    }
}
