package dev.cove.daemon.library;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A fast content id: SHA-256 (hardware-accelerated on current CPUs) truncated to 128 bits, prefixed by the
 * size. Files up to {@link #WHOLE_LIMIT} are hashed whole; larger ones by three {@link #SAMPLE} byte samples
 * (head, middle, tail) plus their size, so a 10 GB video costs three small reads.
 */
public final class ContentId {
    public static final long WHOLE_LIMIT = 1 << 20;
    public static final int SAMPLE = 64 * 1024;
    private static final ThreadLocal<ByteBuffer> BUF = ThreadLocal.withInitial(() -> ByteBuffer.allocate(SAMPLE));

    /** The id of every empty file (no need to open it). */
    public static final String EMPTY = of(new byte[0]);

    private ContentId() {
    }

    public static String of(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            MessageDigest md = sha256();
            ByteBuffer buf = BUF.get();
            if (size <= WHOLE_LIMIT) {
                while (true) {
                    buf.clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        break;
                    }
                    buf.flip();
                    md.update(buf);
                }
            } else {
                for (long at : new long[]{0, size / 2 - SAMPLE / 2, size - SAMPLE}) {
                    buf.clear();
                    long pos = at;
                    while (buf.hasRemaining()) {
                        int n = ch.read(buf, pos);
                        if (n < 0) {
                            break;
                        }
                        pos += n;
                    }
                    buf.flip();
                    md.update(buf);
                }
                md.update(Long.toString(size).getBytes());
            }
            return format(size, md.digest());
        }
    }

    /** The id of in-memory content (same algorithm; for tests and small payloads). */
    public static String of(byte[] data) {
        MessageDigest md = sha256();
        if (data.length <= WHOLE_LIMIT) {
            md.update(data);
        } else {
            long size = data.length;
            for (long at : new long[]{0, size / 2 - SAMPLE / 2, size - SAMPLE}) {
                md.update(data, (int) at, SAMPLE);
            }
            md.update(Long.toString(size).getBytes());
        }
        return format(data.length, md.digest());
    }

    private static String format(long size, byte[] digest) {
        return Long.toString(size, 36) + "-" + HexFormat.of().formatHex(digest, 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
