package dev.cove.desktop;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * What the app remembers between runs, in {@code desktop.properties} of the config folder
 * ({@code $XDG_CONFIG_HOME/cove}, else {@code ~/.config/cove}). A missing or broken file gives the defaults:
 * settings are a convenience, never a reason not to start.
 */
record Settings(String theme) {
    private static final Logger log = LoggerFactory.getLogger(Settings.class);
    static final String FILE = "desktop.properties";

    Settings {
        theme = "light".equals(theme) ? "light" : "dark";
    }

    static Settings load(Path dir) {
        Path f = dir.resolve(FILE);
        Properties p = new Properties();
        if (Files.exists(f)) {
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                log.warn("ignoring unreadable settings {}: {}", f, e.getMessage());
            }
        }
        return new Settings(p.getProperty("theme", "dark"));
    }

    Settings withTheme(String theme) {
        return new Settings(theme);
    }

    /** Writes a temporary file and renames it, so a crash never leaves half a settings file. */
    void save(Path dir) {
        Properties p = new Properties();
        p.setProperty("theme", theme);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, FILE, ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "Cove desktop settings");
            }
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("cannot save settings in {}: {}", dir, e.getMessage());
        }
    }
}
