package dev.cove.api.libraries;

import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where the default library of an instance is kept ({@code cove library use}): a setting of the person, not of
 * the daemon, in {@code $XDG_CONFIG_HOME/cove/cli.properties} (else {@code ~/.config/cove/cli.properties}), under
 * {@code library.INSTANCE} for the default data folder and {@code library.INSTANCE@DATA_DIR} for others. The CLI
 * writes it; the CLI and the GraphQL server read it, so a library left out means the same library in both.
 *
 * @param file the settings file
 * @param key  this instance's key in it
 */
public record DefaultLibrary(Path file, String key) {
    /** The file and key for {@code paths}, given the environment (XDG_CONFIG_HOME, HOME, XDG_DATA_HOME). */
    public static DefaultLibrary of(Map<String, String> env, InstancePaths paths) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        Path file = base.resolve("cove").resolve("cli.properties");
        // the folder a plain `cove` uses when nothing names one; a data folder given by COVE_DATA_DIR is keyed by
        // its path like one given by --data-dir, or its default library would be taken for the plain one's
        Map<String, String> plain = new HashMap<>(env);
        plain.remove(paths.app().env("DATA_DIR"));
        Path defaultData = paths.app().defaultDataDir(plain).toAbsolutePath().normalize();
        Path data = paths.dataDir().toAbsolutePath().normalize();
        return new DefaultLibrary(file, "library." + paths.instance() + (data.equals(defaultData) ? "" : "@" + data));
    }

    /** The settings file's contents; empty when it does not exist yet. */
    public Properties load() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            // nothing set yet
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed: " + e.getMessage(), e);
        }
        return p;
    }

    /** The default library's id, or null when none is set. */
    public String read() throws IOException {
        String v = load().getProperty(key);
        return v == null || v.isBlank() ? null : v.strip();
    }
}
