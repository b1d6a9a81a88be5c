package dev.cove.cli;

import dev.cove.rpc.instance.InstancePaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The default library is kept per data folder, however the folder was named. */
class CliConfigTest {
    @TempDir
    Path home;

    private Map<String, String> env(String coveDataDir) {
        Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString()));
        if (coveDataDir != null) {
            env.put("COVE_DATA_DIR", coveDataDir);
        }
        return env;
    }

    private CliConfig config(Map<String, String> env) {
        return new CliConfig(env, InstancePaths.resolve(InstancePaths.defaultDataDir(env), null));
    }

    @Test
    void aFolderGivenByCoveDataDirDoesNotShareThePlainFoldersDefault() {
        CliConfig plain = config(env(null));
        plain.setDefaultLibrary("plain-lib");
        CliConfig other = config(env(home.resolve("elsewhere").toString()));
        assertNull(other.defaultLibrary(), "a fresh data folder named by COVE_DATA_DIR has no default library yet");
        other.setDefaultLibrary("other-lib");
        assertEquals("other-lib", config(env(home.resolve("elsewhere").toString())).defaultLibrary());
        assertEquals("plain-lib", config(env(null)).defaultLibrary(), "and setting it left the plain folder's alone");
    }

    @Test
    void coveDataDirNamingThePlainFolderIsThePlainFolder() {
        config(env(null)).setDefaultLibrary("lib");
        String plainDir = home.resolve(".local/share/cove").toString();
        assertEquals("lib", config(env(plainDir)).defaultLibrary());
    }
}
