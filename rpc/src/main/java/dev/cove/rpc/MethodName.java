package dev.cove.rpc;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed method string in the versioned convention: {@code query:<name>.v<N>} or
 * {@code action:<name>.input.v<N>}.
 */
public record MethodName(Kind kind, String name, int version) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
    private static final Pattern WIRE =
            Pattern.compile("(query|action):([a-z][a-z0-9_.]*?)(\\.input)?\\.v([1-9][0-9]{0,3})");

    public MethodName {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("operation name '" + name
                    + "' must be dotted lower-case words, e.g. libraries.create");
        }
        if (version < 1) {
            throw new IllegalArgumentException("operation version must be 1 or more, was " + version);
        }
    }

    public static MethodName parse(String wire) {
        Matcher m = WIRE.matcher(wire == null ? "" : wire);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + wire + "' is not a method string; expected "
                    + "query:<name>.v<N> or action:<name>.input.v<N>");
        }
        Kind kind = m.group(1).equals("query") ? Kind.QUERY : Kind.ACTION;
        boolean input = m.group(3) != null;
        if (kind == Kind.ACTION && !input) {
            throw new IllegalArgumentException("action method '" + wire + "' must end in .input.v<N>");
        }
        if (kind == Kind.QUERY && input) {
            throw new IllegalArgumentException("query method '" + wire + "' must not contain .input");
        }
        return new MethodName(kind, m.group(2), Integer.parseInt(m.group(4)));
    }

    public String wire() {
        return kind == Kind.QUERY ? "query:" + name + ".v" + version : "action:" + name + ".input.v" + version;
    }

    @Override
    public String toString() {
        return wire();
    }
}
