package dev.cove.graphql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How wire names become GraphQL names. Deterministic, so that the same daemon always yields the same
 * schema: {@code query:libraries.list.v1} becomes the field {@code librariesList}, {@code v2} of it
 * {@code librariesListV2}; records keep their Java simple names.
 */
final class Names {
    private static final Pattern METHOD = Pattern.compile("^(query|action):(.+?)(\\.input)?\\.v(\\d+)$");
    private static final Pattern GRAPHQL_NAME = Pattern.compile("[_A-Za-z][_0-9A-Za-z]*");

    private Names() {
    }

    /** A method string taken apart: its kind, dotted name and version. */
    record MethodName(String kind, String name, int version) {
        static MethodName parse(String method) {
            Matcher m = METHOD.matcher(method);
            if (!m.matches()) {
                return null;
            }
            return new MethodName(m.group(1), m.group(2), Integer.parseInt(m.group(4)));
        }

        /** The field name: camelCase of the dotted name, with {@code V<n>} for versions after the first. */
        String field() {
            return camel(name) + (version > 1 ? "V" + version : "");
        }
    }

    /** {@code libraries.list} / {@code sessions.event-log} / {@code hello_greet} → {@code librariesList} … */
    static String camel(String dotted) {
        List<String> words = words(dotted);
        if (words.isEmpty()) {
            return "_";
        }
        StringBuilder sb = new StringBuilder(lowerFirst(words.get(0)));
        for (int i = 1; i < words.size(); i++) {
            sb.append(upperFirst(words.get(i)));
        }
        return valid(sb.toString());
    }

    /** {@code libraries.list} → {@code LibrariesList}. */
    static String pascal(String dotted) {
        StringBuilder sb = new StringBuilder();
        for (String w : words(dotted)) {
            sb.append(upperFirst(w));
        }
        return valid(sb.length() == 0 ? "_" : sb.toString());
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.split("[^0-9A-Za-z]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Makes {@code s} a legal GraphQL name: other characters become {@code _}, a leading digit gets a
     * {@code _} in front, and a leading {@code __} (reserved for introspection) loses one underscore.
     */
    static String valid(String s) {
        if (GRAPHQL_NAME.matcher(s).matches() && !s.startsWith("__")) {
            return s;
        }
        String r = s.replaceAll("[^_0-9A-Za-z]", "_");
        if (r.isEmpty() || Character.isDigit(r.charAt(0))) {
            r = "_" + r;
        }
        while (r.startsWith("__")) {
            r = r.substring(1);
        }
        return r;
    }

    /**
     * The name used when two methods fold to the same camelCase field (say {@code files.list} and
     * {@code files_list}): every character of the dotted name is kept, dots become {@code __}.
     */
    static String escaped(MethodName m) {
        StringBuilder sb = new StringBuilder();
        for (char c : m.name().toCharArray()) {
            if (c == '.') {
                sb.append("__");
            } else if (Character.isLetterOrDigit(c) && c < 128 || c == '_') {
                sb.append(c);
            } else {
                sb.append("_x").append(Integer.toHexString(c)).append('_');
            }
        }
        return valid(sb + (m.version() > 1 ? "_v" + m.version() : ""));
    }

    static String upperFirst(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    static String lowerFirst(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
}
