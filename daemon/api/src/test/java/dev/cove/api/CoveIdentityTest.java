package dev.cove.api;

import dev.cove.rpc.AppIdentity;
import dev.cove.rpc.instance.InstancePaths;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Cove's folders and variables, now that the framework takes them from an identity: unchanged. */
class CoveIdentityTest {
    @Test
    void coveIsTheIdentityItsClassPathDeclares() {
        assertEquals(Cove.APP, AppIdentity.ambient());
        assertEquals(Cove.APP, new InstancePaths(Path.of("/d"), null).app());
    }

    @Test
    void coveKeepsItsFoldersAndVariables() {
        assertEquals(Path.of("/x/cove-data"), InstancePaths.defaultDataDir(Map.of("COVE_DATA_DIR", "/x/cove-data",
                "XDG_DATA_HOME", "/x/xdg", "HOME", "/x/home")));
        assertEquals(Path.of("/x/xdg/cove"), InstancePaths.defaultDataDir(Map.of("XDG_DATA_HOME", "/x/xdg")));
        assertEquals(Path.of("/x/home/.local/share/cove"), InstancePaths.defaultDataDir(Map.of("HOME", "/x/home")));
        assertEquals(Path.of("/tmp/cove-" + System.getProperty("user.name")), Cove.APP.linkDir());
        assertEquals(Path.of("/run/u/cove"), Cove.APP.runtimeLinkDir(Map.of("XDG_RUNTIME_DIR", "/run/u")));
        assertEquals("COVE_LAUNCHER", Cove.APP.env("LAUNCHER"));
        assertEquals("COVE_DAEMON_CLASSPATH", Cove.APP.env("DAEMON_CLASSPATH"));
        assertEquals("cove", Cove.APP.command());
        assertEquals("dev.cove.daemon.DaemonMain", Cove.APP.daemonMain());
    }
}
