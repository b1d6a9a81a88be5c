package dev.cove.tests.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.RawClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the socket lives and who may reach it. */
class SocketFilesTest {
    @TempDir
    Path tmp;

    @Test
    void socketIs0600InsideA0700DaemonFolder() throws IOException {
        Path data = tmp.resolve("data");
        // a daemon folder left too open (or umask 000) is tightened at start
        Files.createDirectories(data.resolve("daemon"));
        Files.setPosixFilePermissions(data.resolve("daemon"), PosixFilePermissions.fromString("rwxrwxrwx"));
        try (DaemonProcess daemon = DaemonProcess.start(data)) {
            InstancePaths paths = daemon.paths();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.socket())),
                    "socket mode");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.daemonDir())),
                    "daemon folder mode");
            assertTrue(Files.isSameFile(paths.daemonDir(), paths.socket().getParent()));
            assertEquals(Files.getOwner(paths.daemonDir()), Files.getOwner(paths.socket()));
            // the same user is let in
            assertEquals(daemon.pid(), daemon.client().call(new Ping()).pid());
        }
    }

    @Test
    void aDaemonFolderOfAnotherUserDoesNotMakeItsOwnerTheDaemons() throws Exception {
        // the daemon's owner is its own uid, never its folder's (issue 18): handed a daemon folder of nobody's, it
        // used to belong to nobody, refuse its own user and admit nobody. Now it does not start there at all, and
        // leaves the folder as it found it. (Another user's peer is refused by the uid check: faults' OtherUserTest,
        // as a real nobody; CoreClient now refuses a server of another user before its hello: ServerTrustTest.)
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        Path data = tmp.resolve("data");
        Path daemonDir = Files.createDirectories(data.resolve("daemon"));
        UserPrincipal nobody = daemonDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(daemonDir, nobody);
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(daemonDir));
        DaemonProcess.Result r = DaemonProcess.runToExit(data, InstancePaths.DEFAULT, Duration.ofSeconds(60));
        assertEquals(3, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("belongs to nobody") && r.stderr().contains(daemonDir.toString()), r.stderr());
        assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(daemonDir)), "not tightened");
        assertEquals("nobody", Files.getOwner(daemonDir).getName());
        assertFalse(Files.exists(daemonDir.resolve("daemon.sock")), "no socket was bound there");
    }

    @Test
    void dataDirPathLongerThanTheSocketLimitStillWorks() throws IOException {
        Path data = tmp;
        while (data.resolve("daemon/daemon-long.sock").toString().getBytes(StandardCharsets.UTF_8).length <= 160) {
            data = data.resolve("a-rather-long-folder-name");
        }
        InstancePaths paths = new InstancePaths(data, "long");
        assertTrue(paths.socket().toString().getBytes(StandardCharsets.UTF_8).length > 108,
                "the socket path exceeds sun_path: " + paths.socket());
        try (DaemonProcess daemon = DaemonProcess.start(data, "long")) {
            // the socket file itself lives in the long data folder, with its mode
            assertTrue(Files.exists(paths.socket()), "socket at " + paths.socket());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.socket())));
            Path shortPath = paths.connectPath();
            assertNotEquals(paths.socket(), shortPath);
            assertTrue(shortPath.toString().length() < 100, shortPath.toString());
            assertTrue(Files.isSameFile(shortPath, paths.socket()), "the short path leads to the real socket");

            try (CoreClient c = daemon.client()) {
                Pong p = c.call(new Ping());
                assertEquals("long", p.instance());
                assertEquals(daemon.pid(), p.pid());
                DaemonStatus s = c.call(new GetStatus());
                assertEquals(paths.socket().toString(), s.socket(), "status reports the real socket path");
            }
            try (RawClient raw = daemon.raw()) {
                JsonNode pong = raw.call(1, "query:core.ping.v1", Map.of());
                assertEquals(daemon.pid(), pong.path("payload").path("pid").asLong());
            }
        } finally {
            Path link = paths.connectPath().getParent();
            Files.deleteIfExists(link); // the short symlink in /tmp/cove-$USER
        }
    }
}
