package dev.cove.api;

/**
 * A count with its noun, singular for one and plural otherwise: {@code of(1, "file")} is "1 file",
 * {@code of(2, "entry", "entries")} is "2 entries". One place, so the CLI, the daemon's job summaries and logs
 * and the desktop stop saying "1 files".
 */
public final class Plural {
    private Plural() {
    }

    /** {@code n} and {@code one}, with an "s" added unless {@code n} is 1. */
    public static String of(long n, String one) {
        return of(n, one, one + "s");
    }

    /** {@code n} and {@code one} when it is 1, else {@code many}. */
    public static String of(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
