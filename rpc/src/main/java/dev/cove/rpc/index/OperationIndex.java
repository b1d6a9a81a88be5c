package dev.cove.rpc.index;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * The build-time list of a jar's operation handlers, written by {@link OperationIndexProcessor} to
 * {@value #RESOURCE}: reading it costs a few milliseconds, where a class-path scan costs hundreds
 * (ClassGraph's own start-up included). Jars without one are scanned as before.
 */
public final class OperationIndex {
    public static final String RESOURCE = "META-INF/cove/operations";

    private OperationIndex() {
    }

    /**
     * Handler class names listed by every index {@code loader} sees (its parents' included) within the
     * given packages, or null when it sees no index at all.
     */
    public static List<String> read(ClassLoader loader, String... packages) throws IOException {
        Enumeration<URL> found = loader.getResources(RESOURCE);
        if (!found.hasMoreElements()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        while (found.hasMoreElements()) {
            try (InputStream in = found.nextElement().openStream()) {
                for (String name : parse(in)) {
                    if (inPackages(name, packages)) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    /** The class names in one index file. */
    public static List<String> parse(InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line);
                }
            }
        }
        return names;
    }

    private static boolean inPackages(String className, String... packages) {
        if (packages.length == 0) {
            return true;
        }
        for (String p : packages) {
            if (className.startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }
}
