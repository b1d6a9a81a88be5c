package dev.cove.rpc;

/** The two kinds of operation. Queries do not change state; actions may. */
public enum Kind {
    QUERY("query"),
    ACTION("action");

    private final String wire;

    Kind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
