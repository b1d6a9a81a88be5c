package dev.cove.api.files;

import java.util.List;

/** Validation shared by the file job contracts. */
public final class FileArgs {
    private FileArgs() {
    }

    public static List<String> sources(List<String> sources) {
        if (sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("name at least one file or folder");
        }
        for (String s : sources) {
            path(s, "source");
        }
        return List.copyOf(sources);
    }

    public static String path(String p, String what) {
        if (p == null || p.isBlank()) {
            throw new IllegalArgumentException("the " + what + " path is missing");
        }
        if (!p.startsWith("/")) {
            throw new IllegalArgumentException("the " + what + " path \"" + p + "\" must be absolute");
        }
        if (p.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the " + what + " path contains a NUL character");
        }
        return p;
    }
}
