package dev.cove.rpc;

/** Payload encodings. Every operation accepts both. */
public enum Encoding {
    /** Inline JSON: what shells, scripts and other languages use. */
    JSON("json"),
    /** Base64 of Kryo bytes with registration required: what Java clients use. */
    KRYO("kryo");

    private final String wire;

    Encoding(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Encoding fromWire(String s) {
        if (s == null || s.equals("json")) {
            return JSON;
        }
        if (s.equals("kryo")) {
            return KRYO;
        }
        throw new IllegalArgumentException("unknown encoding '" + s + "' (use json or kryo)");
    }
}
