package dev.cove.rpc.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;

import java.io.IOException;

/**
 * Finds the top-level {@code "id"} of a frame the JSON parser refused for its size or depth, so that the error
 * can carry the id the client waits for. A plain byte scan in constant memory: it counts brackets instead of
 * building anything, so a frame nested a million levels or cut off at the frame limit costs no more than its
 * bytes. Only the values a frame's id may take (a string, or an integer that fits in 64 bits) are returned.
 */
public final class FrameIds {
    private FrameIds() {
    }

    /**
     * The id of the top-level object in {@code buf[off, off+len)}, or null when there is none that can be
     * read. A frame cut short (a prefix) is fine as long as the id comes before the cut; with several ids the
     * last one wins, as with the parser.
     */
    public static JsonNode find(byte[] buf, int off, int len) {
        int end = off + len;
        int i = skipSpace(buf, off, end);
        if (i >= end || buf[i] != '{') {
            return null;
        }
        JsonNode found = null;
        int depth = 0;
        boolean expectKey = false;
        while (i < end) {
            byte b = buf[i];
            switch (b) {
                case '{' -> {
                    depth++;
                    expectKey = depth == 1;
                    i++;
                }
                case '[' -> {
                    depth++;
                    i++;
                }
                case '}', ']' -> {
                    depth--;
                    if (depth <= 0) {
                        return found;
                    }
                    i++;
                }
                case ',' -> {
                    expectKey = depth == 1;
                    i++;
                }
                case '"' -> {
                    int close = stringEnd(buf, i + 1, end);
                    if (close < 0) {
                        return found; // cut off inside a string
                    }
                    if (depth == 1 && expectKey) {
                        expectKey = false;
                        boolean isId = close - i - 1 == 2 && buf[i + 1] == 'i' && buf[i + 2] == 'd';
                        int colon = skipSpace(buf, close + 1, end);
                        if (colon >= end || buf[colon] != ':') {
                            return found;
                        }
                        if (isId) {
                            int v = skipSpace(buf, colon + 1, end);
                            int vEnd = valueEnd(buf, v, end);
                            if (vEnd < 0) {
                                return found;
                            }
                            JsonNode id = parse(buf, v, vEnd - v);
                            found = id != null && (id.isTextual() || id.isIntegralNumber() && id.canConvertToLong())
                                    ? id : null;
                            i = vEnd;
                            continue;
                        }
                        i = colon + 1;
                    } else {
                        i = close + 1;
                    }
                }
                default -> i++;
            }
        }
        return found;
    }

    private static int skipSpace(byte[] buf, int i, int end) {
        while (i < end && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) {
            i++;
        }
        return i;
    }

    /** The index of the quote closing a string whose content starts at {@code i}, or -1 if it is cut off. */
    private static int stringEnd(byte[] buf, int i, int end) {
        while (i < end) {
            if (buf[i] == '\\') {
                i += 2;
            } else if (buf[i] == '"') {
                return i;
            } else {
                i++;
            }
        }
        return -1;
    }

    /** One past a scalar id value (string or number) starting at {@code i}; -1 if cut off or not a scalar. */
    private static int valueEnd(byte[] buf, int i, int end) {
        if (i >= end) {
            return -1;
        }
        if (buf[i] == '"') {
            int close = stringEnd(buf, i + 1, end);
            return close < 0 ? -1 : close + 1;
        }
        int j = i;
        while (j < end && (buf[j] == '-' || buf[j] == '+' || buf[j] == '.' || buf[j] == 'e' || buf[j] == 'E'
                || buf[j] >= '0' && buf[j] <= '9')) {
            j++;
        }
        // a number must be followed by something, or the cut may have shortened it
        return j == i || j >= end ? -1 : j;
    }

    private static JsonNode parse(byte[] buf, int off, int len) {
        try {
            return Json.MAPPER.readTree(buf, off, len);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
