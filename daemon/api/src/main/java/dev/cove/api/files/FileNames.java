package dev.cove.api.files;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File names as Cove holds them: Linux names are bytes, not text, so a path travels (index, protocol, JSON)
 * as a string in which every byte that is not part of valid UTF-8 stands as one character U+EF80–U+EFFF
 * (byte 0x80–0xFF ↦ U+EF00 + byte; the private-use mapping MirBSD calls OPTU-8). A valid UTF-8 name is its
 * usual string, so indexes and clients that never meet such a name see no change. The mapping is reversible:
 * a valid UTF-8 sequence for a character in U+EF80–U+EFFF itself is taken byte by byte, so that no two byte
 * strings share a string form.
 *
 * <p>Why not the JDK's own strings: {@code Path.toString()} decodes with {@code sun.jnu.encoding} and turns
 * every undecodable byte into U+FFFD ({@code \xff\xfe.txt} and {@code \xfe\xff.txt} both read "��.txt"), and
 * {@code -Dsun.jnu.encoding} is ignored since JDK 18. A {@code Path} read from a folder keeps its bytes, and
 * {@link Path#toUri()} / {@link Path#of(URI)} carry them as percent escapes: that is the lossless way in and
 * out used here. Why not Python's surrogate escapes (U+DC80–U+DCFF): SQLite's driver writes a lone surrogate
 * as "?", so two names would again become one row. See docs/protocol.md, "File names".
 */
public final class FileNames {
    private static final int FIRST = 0xEF80;
    private static final int LAST = 0xEFFF;
    private static final boolean JNU_UTF8 = isUtf8(System.getProperty("sun.jnu.encoding"));

    private FileNames() {
    }

    private static boolean isUtf8(String charset) {
        return charset != null && (charset.equalsIgnoreCase("UTF-8") || charset.equalsIgnoreCase("UTF8"));
    }

    /** True for a character that stands for a byte that is not UTF-8. */
    public static boolean isByte(char c) {
        return c >= FIRST && c <= LAST;
    }

    /** The lossless string form of a path (as read from the file system: a {@code Path} made from a string keeps that string). */
    public static String of(Path p) {
        String s = p.toString();
        if (!needsBytes(s)) {
            return s;
        }
        String raw = p.toAbsolutePath().toUri().getRawPath();
        String decoded = decode(unescapeUri(raw));
        // toUri() adds a slash to a folder's path
        if (decoded.length() > 1 && decoded.endsWith("/") && !s.endsWith("/")) {
            decoded = decoded.substring(0, decoded.length() - 1);
        }
        return decoded;
    }

    /** The file name (last element) of a path, losslessly. */
    public static String name(Path p) {
        Path f = p.getFileName();
        if (f == null) {
            return of(p);
        }
        String s = f.toString();
        if (!needsBytes(s)) {
            return s;
        }
        String full = of(p);
        return full.substring(full.lastIndexOf('/') + 1);
    }

    private static boolean needsBytes(String s) {
        int any = 0;
        for (int i = 0; i < s.length(); i++) {
            any |= s.charAt(i); // branch-free first pass: nearly every path is ASCII (measured: 3 of 68,180 in /usr/share)
        }
        if (any < 0x80) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 && (!JNU_UTF8 || c == '\uFFFD' || isByte(c))) {
                return true;
            }
        }
        return false;
    }

    /** The path with these bytes; a relative one is taken from the current folder. */
    public static Path path(String s) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = c < 0x80 || (JNU_UTF8 && !isByte(c));
        }
        if (plain) {
            return Path.of(s);
        }
        String abs = s.startsWith("/") ? s : of(Path.of("").toAbsolutePath()) + "/" + s;
        byte[] b = encode(abs);
        StringBuilder uri = new StringBuilder(b.length * 2 + 8).append("file://");
        for (byte x : b) {
            int v = x & 0xFF;
            if ((v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9') || v == '/' || v == '.'
                    || v == '-' || v == '_' || v == '~') {
                uri.append((char) v);
            } else {
                uri.append('%').append(Character.toUpperCase(Character.forDigit(v >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(v & 0xF, 16)));
            }
        }
        return Path.of(URI.create(uri.toString()));
    }

    /** {@code dir.resolve(name)} for a name in string form (a plain name, not a path). */
    public static Path resolve(Path dir, String name) {
        boolean plain = true;
        for (int i = 0; i < name.length() && plain; i++) {
            char c = name.charAt(i);
            plain = c < 0x80 || (JNU_UTF8 && !isByte(c));
        }
        if (plain) {
            return dir.resolve(name);
        }
        String d = of(dir.toAbsolutePath());
        return path(d.endsWith("/") ? d + name : d + "/" + name);
    }

    private static byte[] unescapeUri(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                // toUri() escapes every byte outside ASCII, so the rest is ASCII
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    /** The string form of a name's bytes (see the class comment). */
    public static String decode(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int v = b[i] & 0xFF;
            if (v < 0x80) {
                sb.append((char) v);
                i++;
                continue;
            }
            int n;
            int cp;
            int min;
            if (v >= 0xC2 && v <= 0xDF) {
                n = 2;
                cp = v & 0x1F;
                min = 0x80;
            } else if (v >= 0xE0 && v <= 0xEF) {
                n = 3;
                cp = v & 0x0F;
                min = 0x800;
            } else if (v >= 0xF0 && v <= 0xF4) {
                n = 4;
                cp = v & 0x07;
                min = 0x10000;
            } else {
                n = 0;
                cp = 0;
                min = 0;
            }
            boolean ok = n > 0 && i + n <= b.length;
            for (int k = 1; ok && k < n; k++) {
                int c = b[i + k] & 0xFF;
                ok = (c & 0xC0) == 0x80;
                cp = (cp << 6) | (c & 0x3F);
            }
            ok = ok && cp >= min && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF) && (cp < FIRST || cp > LAST);
            if (ok) {
                sb.appendCodePoint(cp);
                i += n;
            } else {
                sb.append((char) (0xEF00 + v));
                i++;
            }
        }
        return sb.toString();
    }

    /** The bytes a string form stands for. */
    public static byte[] encode(String s) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) {
            plain = !isByte(s.charAt(i));
        }
        if (plain) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || isByte(s.charAt(i))) {
                out.writeBytes(s.substring(start, i).getBytes(StandardCharsets.UTF_8));
                if (i < s.length()) {
                    out.write(s.charAt(i) - 0xEF00);
                }
                start = i + 1;
            }
        }
        return out.toByteArray();
    }

    /** True when a name has bytes that are not UTF-8, or characters a terminal would act on. */
    public static boolean needsQuoting(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (special(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean special(char c) {
        return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || isByte(c) || c == '\u2028' || c == '\u2029';
    }

    /** How a path is shown to a person, in a message: {@code display(of(p))}. */
    public static String show(Path p) {
        return display(of(p));
    }

    /**
     * How a path is shown to a person: itself when it has nothing a terminal would act on or could not show;
     * otherwise quoted as GNU {@code ls --quoting-style=shell-escape} does ({@code 'new'$'\n''line'},
     * {@code $'\377\376''.txt'}), one line that a shell reads back as the same bytes.
     */
    public static String display(String s) {
        if (!needsQuoting(s)) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        int i = 0;
        while (i < s.length()) {
            int j = i;
            while (j < s.length() && !special(s.charAt(j))) {
                j++;
            }
            if (j > i) {
                sb.append('\'').append(s.substring(i, j).replace("'", "'\\''")).append('\'');
                i = j;
                continue;
            }
            sb.append("$'");
            while (j < s.length() && special(s.charAt(j))) {
                char c = s.charAt(j);
                switch (c) {
                    case 0x07 -> sb.append("\\a");
                    case '\b' -> sb.append("\\b");
                    case '\t' -> sb.append("\\t");
                    case '\n' -> sb.append("\\n");
                    case 0x0B -> sb.append("\\v");
                    case '\f' -> sb.append("\\f");
                    case '\r' -> sb.append("\\r");
                    default -> {
                        for (byte x : encode(String.valueOf(c))) {
                            int v = x & 0xFF;
                            sb.append('\\').append((char) ('0' + (v >> 6))).append((char) ('0' + ((v >> 3) & 7)))
                                    .append((char) ('0' + (v & 7)));
                        }
                    }
                }
                j++;
            }
            sb.append('\'');
            i = j;
        }
        return sb.toString();
    }
}
