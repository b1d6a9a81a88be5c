package dev.cove.rpc.wire;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LineReaderTest {
    /** A channel that returns at most {@code chunk} bytes per read, to split frames anywhere. */
    private static ReadableByteChannel chunked(byte[] data, int chunk) {
        InputStream in = new ByteArrayInputStream(data);
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                byte[] b = new byte[Math.min(chunk, dst.remaining())];
                int n = in.read(b);
                if (n > 0) {
                    dst.put(b, 0, n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    private static List<String> readAll(String input, int chunk, int max) throws IOException {
        List<String> frames = new ArrayList<>();
        LineReader r = new LineReader(chunked(input.getBytes(StandardCharsets.UTF_8), chunk), max);
        while (r.readOnce((buf, off, len) -> frames.add(new String(buf, off, len, StandardCharsets.UTF_8)))) {
            // keep reading
        }
        return frames;
    }

    @Test
    void splitsFramesWhateverTheReadBoundaries() throws IOException {
        String big = "x".repeat(50_000);
        String input = "{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":\"" + big + "\"}\n";
        for (int chunk : new int[]{1, 3, 7, 1000, 1 << 20}) {
            List<String> frames = readAll(input, chunk, 1 << 20);
            assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "{\"c\":\"" + big + "\"}"), frames, "chunk " + chunk);
        }
    }

    @Test
    void refusesAFrameOverTheLimitWithoutBufferingItAll() {
        String input = "y".repeat(10_000) + "\n";
        assertThrows(FrameTooLargeException.class, () -> readAll(input, 512, 1000));
    }

    @Test
    void acceptsAFrameExactlyAtTheLimit() throws IOException {
        String frame = "z".repeat(1000);
        assertEquals(List.of(frame), readAll(frame + "\n", 64, 1000));
    }
}
