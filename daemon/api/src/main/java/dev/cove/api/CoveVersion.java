package dev.cove.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Cove's version, from the build's {@code version.properties}, read once for {@link Cove#VERSION}.
 */
public final class CoveVersion {
    private CoveVersion() {
    }

    /** The version, or "dev" when run from an unfiltered build. */
    public static String read() {
        try (InputStream in = CoveVersion.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
