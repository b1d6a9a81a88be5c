package dev.cove.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON text into plain values, as {@link JsonValues#read} does on jackson-core (maps in order, lists,
 * strings, longs, BigIntegers past a long, doubles, booleans, null), for {@link LeanClient}'s frames. Hand-written
 * because jackson-core's parser costs a quick command ~10 ms before it reads a byte: its base class's constants
 * initialise BigDecimal, whose static initialiser computes large powers in the interpreter. The limits are
 * {@code LeanClient.JSON}'s: nesting depth 200, numbers of at most 100 characters.
 */
final class JsonReader {
    private static final int MAX_DEPTH = 200;
    private static final int MAX_NUMBER_LENGTH = 100;

    private final byte[] b;
    private final int end;
    private int i;
    private int depth;

    private JsonReader(byte[] b, int off, int len) {
        this.b = b;
        this.i = off;
        this.end = off + len;
    }

    /** The one JSON value in {@code b[off, off+len)}; IOException for anything that is not exactly that. */
    static Object parse(byte[] b, int off, int len) throws IOException {
        JsonReader r = new JsonReader(b, off, len);
        r.skipSpace();
        Object v = r.value();
        r.skipSpace();
        if (r.i != r.end) {
            throw r.error("content after the JSON value");
        }
        return v;
    }

    private IOException error(String what) {
        return new IOException("bad JSON at byte " + i + ": " + what);
    }

    private void skipSpace() {
        while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
    }

    private Object value() throws IOException {
        if (i >= end) {
            throw error("a value is missing");
        }
        byte c = b[i];
        if (c == '{') {
            return object();
        }
        if (c == '[') {
            return array();
        }
        if (c == '"') {
            return string();
        }
        if (c == '-' || c >= '0' && c <= '9') {
            return number();
        }
        if (literal("true")) {
            return Boolean.TRUE;
        }
        if (literal("false")) {
            return Boolean.FALSE;
        }
        if (literal("null")) {
            return null;
        }
        throw error("unexpected character");
    }

    private boolean literal(String word) {
        int n = word.length();
        if (end - i < n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (b[i + k] != word.charAt(k)) {
                return false;
            }
        }
        i += n;
        return true;
    }

    private void enter() throws IOException {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
    }

    private Map<String, Object> object() throws IOException {
        enter();
        i++; // {
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (take('}')) {
            depth--;
            return m;
        }
        while (true) {
            skipSpace();
            if (i >= end || b[i] != '"') {
                throw error("a field name is missing");
            }
            String name = string();
            skipSpace();
            if (!take(':')) {
                throw error("':' is missing");
            }
            skipSpace();
            m.put(name, value());
            skipSpace();
            if (!take(',')) {
                if (!take('}')) {
                    throw error("',' or '}' is missing");
                }
                depth--;
                return m;
            }
        }
    }

    private List<Object> array() throws IOException {
        enter();
        i++; // [
        List<Object> l = new ArrayList<>();
        skipSpace();
        if (take(']')) {
            depth--;
            return l;
        }
        while (true) {
            skipSpace();
            l.add(value());
            skipSpace();
            if (!take(',')) {
                if (!take(']')) {
                    throw error("',' or ']' is missing");
                }
                depth--;
                return l;
            }
        }
    }

    /** Steps over {@code c} if it is the next byte. */
    private boolean take(char c) {
        if (i < end && b[i] == c) {
            i++;
            return true;
        }
        return false;
    }

    private String string() throws IOException {
        i++; // "
        int start = i;
        while (i < end && b[i] != '"' && b[i] != '\\') {
            if ((b[i] & 0xff) < 0x20) {
                throw error("a control character in a string");
            }
            i++;
        }
        if (i < end && b[i] == '"') {
            return new String(b, start, i++ - start, StandardCharsets.UTF_8);
        }
        // escapes: the plain runs are decoded as UTF-8, the escapes added between them
        StringBuilder sb = new StringBuilder(new String(b, start, i - start, StandardCharsets.UTF_8));
        while (true) {
            if (i >= end) {
                throw error("an unterminated string");
            }
            byte c = b[i];
            if (c == '"') {
                i++;
                return sb.toString();
            }
            if (c == '\\') {
                if (i + 1 >= end) {
                    throw error("an unterminated escape");
                }
                byte e = b[i + 1];
                i += 2;
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (end - i < 4) {
                            throw error("a short \\u escape");
                        }
                        int v = 0;
                        for (int k = 0; k < 4; k++) {
                            int d = Character.digit(b[i + k], 16);
                            if (d < 0) {
                                throw error("a bad \\u escape");
                            }
                            v = v * 16 + d;
                        }
                        i += 4;
                        sb.append((char) v);
                    }
                    default -> throw error("an unknown escape");
                }
                continue;
            }
            int runStart = i;
            while (i < end && b[i] != '"' && b[i] != '\\') {
                if ((b[i] & 0xff) < 0x20) {
                    throw error("a control character in a string");
                }
                i++;
            }
            sb.append(new String(b, runStart, i - runStart, StandardCharsets.UTF_8));
        }
    }

    private Object number() throws IOException {
        int start = i;
        boolean integer = true;
        if (b[i] == '-') {
            i++;
        }
        int digits = i;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        if (i == digits || b[digits] == '0' && i - digits > 1) {
            throw error("a malformed number");
        }
        if (i < end && b[i] == '.') {
            integer = false;
            int f = ++i;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            if (i == f) {
                throw error("a malformed number");
            }
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            integer = false;
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int x = i;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            if (i == x) {
                throw error("a malformed number");
            }
        }
        if (i - start > MAX_NUMBER_LENGTH) {
            throw error("a number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        String s = new String(b, start, i - start, StandardCharsets.ISO_8859_1);
        if (!integer) {
            return Double.parseDouble(s);
        }
        // a long when it fits, else a BigInteger, as jackson-core's number types
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return new BigInteger(s);
        }
    }
}
