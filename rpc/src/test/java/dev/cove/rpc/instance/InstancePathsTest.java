package dev.cove.rpc.instance;

import dev.cove.rpc.AppIdentity;
import dev.cove.rpc.DemoIdentity;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InstancePathsTest {
    @Test
    void dataDirFollowsTheApplicationsVariableThenXdgThenHome() {
        AppIdentity kv = new AppIdentity("kv", "KV", null);
        assertEquals(Path.of("/x/kv-data"), kv.defaultDataDir(Map.of("KV_DATA_DIR", "/x/kv-data",
                "XDG_DATA_HOME", "/x/xdg", "HOME", "/x/home")));
        assertEquals(Path.of("/x/xdg/kv"), kv.defaultDataDir(Map.of("XDG_DATA_HOME", "/x/xdg",
                "HOME", "/x/home", "COVE_DATA_DIR", "/x/other")));
        // $HOME as the shell means it, not Java's user.home (which comes from the password file)
        assertEquals(Path.of("/x/home/.local/share/kv"), kv.defaultDataDir(Map.of("HOME", "/x/home")));
        assertEquals(Path.of("/x/run/kv"), kv.runtimeLinkDir(Map.of("XDG_RUNTIME_DIR", "/x/run")));
        assertEquals(Path.of("/tmp/kv-" + System.getProperty("user.name")), kv.linkDir());
        assertEquals("KV_LAUNCHER", kv.env("LAUNCHER"));
    }

    @Test
    void theShortFormsUseTheIdentityTheClassPathDeclares() {
        // these tests declare "demo" (src/test/resources/META-INF/services): nothing here falls back to Cove's names
        assertEquals(Path.of("/x/demo-data"), InstancePaths.defaultDataDir(Map.of("DEMO_DATA_DIR", "/x/demo-data",
                "COVE_DATA_DIR", "/x/cove-data")));
        assertEquals(DemoIdentity.APP, new InstancePaths(Path.of("/d"), null).app());
        assertEquals(DemoIdentity.APP, InstancePaths.resolve(Path.of("/d"), "x").app());
        AppIdentity kv = new AppIdentity("kv", "KV", null);
        assertEquals(kv, new InstancePaths(Path.of("/d"), "x", kv).withInstance("y").app());
    }

    @Test
    void applicationNamesMustBeSafeWords() {
        for (String bad : new String[]{"", "Kv", "../x", "a b", "1kv"}) {
            assertThrows(IllegalArgumentException.class, () -> new AppIdentity(bad, "KV", null), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new AppIdentity("kv", "kv", null));
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
