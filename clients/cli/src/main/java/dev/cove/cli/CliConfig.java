package dev.cove.cli;

import dev.cove.api.libraries.DefaultLibrary;
import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * The CLI's own settings, never the daemon's: {@code $XDG_CONFIG_HOME/cove/cli.properties}, else
 * {@code ~/.config/cove/cli.properties}. It holds the default library of each instance, where
 * {@link DefaultLibrary} says (which the GraphQL server reads too).
 */
public final class CliConfig {
    private final DefaultLibrary where;
    private final Path file;
    private final String key;

    CliConfig(Map<String, String> env, InstancePaths paths) {
        this.where = DefaultLibrary.of(env, paths);
        this.file = where.file();
        this.key = where.key();
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
        try {
            return where.load();
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot read the CLI's settings from " + file + ": " + e.getMessage());
        }
    }
}
