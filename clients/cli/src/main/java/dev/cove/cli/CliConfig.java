package dev.cove.cli;

import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The CLI's own settings, never the daemon's: {@code $XDG_CONFIG_HOME/cove/cli.properties}, else
 * {@code ~/.config/cove/cli.properties}. It holds the default library of each instance, under
 * {@code library.INSTANCE} for the default data folder and {@code library.INSTANCE@DATA_DIR} for others.
 */
public final class CliConfig {
    private final Path file;
    private final String key;

    CliConfig(Map<String, String> env, InstancePaths paths) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        this.file = base.resolve("cove").resolve("cli.properties");
        // the folder a plain `cove` uses when nothing names one; a data folder given by COVE_DATA_DIR is keyed by
        // its path like one given by --data-dir, or its default library would be taken for the plain one's
        Map<String, String> plain = new HashMap<>(env);
        plain.remove("COVE_DATA_DIR");
        Path defaultData = paths.app().defaultDataDir(plain).toAbsolutePath().normalize();
        Path data = paths.dataDir().toAbsolutePath().normalize();
        this.key = "library." + paths.instance() + (data.equals(defaultData) ? "" : "@" + data);
    }

    public Path file() {
        return file;
    }

    /** The default library's id for this instance, or null when none was set. */
    public String defaultLibrary() {
        String v = load().getProperty(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** Sets (or, with null, clears) the default library of this instance. */
    public void setDefaultLibrary(String libraryId) {
        Properties p = load();
        if (libraryId == null) {
            p.remove(key);
        } else {
            p.setProperty(key, libraryId);
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp)) {
                p.store(w, "cove CLI settings (`cove library use`)");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot write the CLI's settings to " + file + ": " + e.getMessage());
        }
    }

    private Properties load() {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            // nothing set yet
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(ExitCodes.ERROR, "cannot read the CLI's settings from " + file + ": " + e.getMessage());
        }
        return p;
    }
}
