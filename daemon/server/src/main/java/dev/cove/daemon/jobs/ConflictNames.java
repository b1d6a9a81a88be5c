package dev.cove.daemon.jobs;

import dev.cove.api.files.FileNames;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Free names for "keep both": {@code report.pdf} → {@code report (2).pdf}, {@code report (3).pdf}, ... */
public final class ConflictNames {
    private ConflictNames() {
    }

    /** The n-th alternative of a name (n ≥ 2); the extension stays last, dot files keep their dot. */
    public static String alternative(String name, int n) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return name + " (" + n + ")";
        }
        return name.substring(0, dot) + " (" + n + ")" + name.substring(dot);
    }

    /** {@code target} itself if free, else the first free alternative in the same folder. */
    public static Path free(Path target) {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return target;
        }
        String name = FileNames.name(target);
        for (int n = 2; ; n++) {
            Path p = FileNames.resolve(target.getParent(), alternative(name, n));
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
    }

    /** The temporary name a copy writes to before renaming into place: hidden, tagged with the job. */
    public static Path temporary(Path target, long jobId) {
        return target.resolveSibling("." + target.getFileName() + ".cove-" + jobId + ".part");
    }
}
