package dev.cove.daemon.library;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Case-insensitive globs on a whole name: {@code *} any run, {@code ?} one character, {@code [abc]},
 * {@code [a-z]} and {@code [!x]} (or {@code [^x]}) one character of a set; {@code \} escapes. Everything
 * else is literal.
 */
public final class Glob {
    private static final Map<String, Pattern> CACHE = new ConcurrentHashMap<>();

    private Glob() {
    }

    /** The compiled pattern, matching lower-cased names (the pattern is lower-cased too). */
    public static Pattern compile(String glob) {
        Pattern p = CACHE.get(glob);
        if (p == null) {
            if (CACHE.size() > 256) {
                CACHE.clear();
            }
            p = Pattern.compile(toRegex(glob), Pattern.DOTALL);
            CACHE.put(glob, p);
        }
        return p;
    }

    /** Whether {@code name} matches {@code glob}, ignoring case. */
    public static boolean matches(String glob, String name) {
        return compile(glob.toLowerCase(Locale.ROOT)).matcher(name.toLowerCase(Locale.ROOT)).matches();
    }

    public static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int n = glob.length();
        for (int i = 0; i < n; i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '\\' -> {
                    if (i + 1 < n) {
                        re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    } else {
                        re.append("\\\\");
                    }
                }
                case '[' -> {
                    int close = classEnd(glob, i);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        re.append('[');
                        int j = i + 1;
                        if (glob.charAt(j) == '!' || glob.charAt(j) == '^') {
                            re.append('^');
                            j++;
                        }
                        for (; j < close; j++) {
                            char k = glob.charAt(j);
                            if (k == '-' && j > i + 1 && j + 1 < close) {
                                re.append('-');
                            } else if (Character.isLetterOrDigit(k)) {
                                re.append(k);
                            } else {
                                re.append('\\').append(k);
                            }
                        }
                        re.append(']');
                        i = close;
                    }
                }
                default -> re.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    /** Index of the ']' closing the class opened at {@code open}, or -1 if it is not a class. */
    private static int classEnd(String glob, int open) {
        int j = open + 1;
        if (j < glob.length() && (glob.charAt(j) == '!' || glob.charAt(j) == '^')) {
            j++;
        }
        if (j < glob.length() && glob.charAt(j) == ']') {
            j++; // a leading ']' is literal
        }
        int close = glob.indexOf(']', j);
        return close;
    }

    /** Whether the glob has any wildcard at all. */
    public static boolean isLiteral(String glob) {
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** The longest run of literal characters (for an index prefilter); "" if none. */
    public static String longestLiteral(String glob) {
        String best = "";
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?' || c == '[') {
                if (cur.length() > best.length()) {
                    best = cur.toString();
                }
                cur.setLength(0);
                if (c == '[') {
                    int close = classEnd(glob, i);
                    if (close > 0) {
                        i = close;
                    }
                }
            } else if (c == '\\') {
                if (i + 1 < glob.length()) {
                    cur.append(glob.charAt(++i));
                }
            } else {
                cur.append(c);
            }
        }
        return cur.length() > best.length() ? cur.toString() : best;
    }
}
