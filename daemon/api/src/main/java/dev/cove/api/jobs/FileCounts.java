package dev.cove.api.jobs;

/**
 * What a copy or move job did with each file, by the conflict policy: with {@code --conflict skip} a file
 * that was already there is skipped, not copied.
 *
 * @param copied      files copied (or moved) to a name where nothing was
 * @param skipped     files left out because their target existed (policy SKIP)
 * @param overwritten files that replaced an existing target (policy OVERWRITE)
 * @param renamed     files written beside an existing target under a free name, "name (2).ext" (policy KEEP_BOTH)
 */
public record FileCounts(long copied, long skipped, long overwritten, long renamed) {
    public static final FileCounts NONE = new FileCounts(0, 0, 0, 0);

    /** "2 skipped (already there), 1 overwritten": the conflicts met, or "" when there were none. */
    public String conflicts() {
        StringBuilder b = new StringBuilder();
        append(b, skipped, "skipped (already there)");
        append(b, overwritten, "overwritten");
        append(b, renamed, "renamed (kept both)");
        return b.toString();
    }

    private static void append(StringBuilder b, long n, String what) {
        if (n > 0) {
            b.append(b.isEmpty() ? "" : ", ").append(n).append(' ').append(what);
        }
    }
}
