package dev.cove.rpc.instance;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InstancePathsTest {
    @Test
    void dataDirFollowsCoveThenXdgThenHome() {
        assertEquals(Path.of("/x/cove-data"), InstancePaths.defaultDataDir(Map.of("COVE_DATA_DIR", "/x/cove-data",
                "XDG_DATA_HOME", "/x/xdg", "HOME", "/x/home")));
        assertEquals(Path.of("/x/xdg/cove"), InstancePaths.defaultDataDir(Map.of("XDG_DATA_HOME", "/x/xdg",
                "HOME", "/x/home")));
        // $HOME as the shell means it, not Java's user.home (which comes from the password file)
        assertEquals(Path.of("/x/home/.local/share/cove"), InstancePaths.defaultDataDir(Map.of("HOME", "/x/home")));
    }

    @Test
    void layoutOfDefaultAndNamedInstances() {
        InstancePaths def = new InstancePaths(Path.of("/d"), null);
        assertEquals(Path.of("/d/daemon/daemon.sock"), def.socket());
        assertEquals(Path.of("/d/daemon/daemon.lock"), def.lockFile());
        assertEquals(Path.of("/d/logs/daemon.log"), def.logFile());
        assertEquals(Path.of("/d"), def.instanceDataDir());
        InstancePaths dev = new InstancePaths(Path.of("/d"), "dev");
        assertEquals(Path.of("/d/daemon/daemon-dev.sock"), dev.socket());
        assertEquals(Path.of("/d/daemon/daemon-dev.lock"), dev.lockFile());
        assertEquals(Path.of("/d/logs/daemon-dev.log"), dev.logFile());
        assertEquals(Path.of("/d/instances/dev"), dev.instanceDataDir());
    }

    @Test
    void instanceNamesMustBeSafeFileNames() {
        for (String bad : new String[]{"../x", "Dev", "a/b", "-x", "x".repeat(41), "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> new InstancePaths(Path.of("/d"), bad), bad);
        }
    }
}
