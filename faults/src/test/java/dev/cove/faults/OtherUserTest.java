package dev.cove.faults;

import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.OtherUser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another user on the machine connecting to someone's daemon. File permissions stop them first (folder 0700,
 * socket 0600); with those opened up on purpose for this test's private daemon, the daemon's own check of the
 * peer's uid (SO_PEERCRED) must refuse them with UNAUTHORIZED and log it. The other user is a real one
 * ({@code nobody}, through {@link OtherUser}: setpriv and Python's standard library, nothing to install), so
 * the test runs on a fresh machine; it skips only when not run as root, and says so.
 */
class OtherUserTest {
    private static final String HELLO = "{\"type\":\"hello\",\"protocol\":1,\"name\":\"intruder\"}\n"
            + "{\"id\":1,\"type\":\"query\",\"method\":\"query:core.status.v1\"}\n";

    /** Connects to the socket as nobody (a Python client, see {@link OtherUser}), sends a hello, returns the answer. */
    static OtherUser.Run asNobody(Path scratch, Path socket) throws Exception {
        return OtherUser.run(scratch, "unix", socket.toString(), HELLO);
    }

    @Test
    void anotherUserIsStoppedByPermissionsAndThenByThePeerUidCheck() throws Exception {
        OtherUser.require(); // skips only when not root; as root it runs on any machine, or fails
        Path scratch = OtherUser.scratch("cove-other-user-client");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "cove-other-user");
        try (DaemonProcess d = DaemonProcess.start(dir.resolve("data"), "owner")) {
            Path socket = d.paths().socket();
            Path connect = d.paths().connectPath();
            // 1. as shipped: the 0700 folder keeps another user out before the daemon sees anything
            OtherUser.Run denied = asNobody(scratch, connect);
            assertTrue(denied.exit() != 0 && denied.out().contains("Permission denied"),
                    "nobody cannot reach the socket through a 0700 folder: " + denied);

            // 2. open the path for this test only: the daemon's uid check must refuse on its own
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            for (Path p = socket.getParent(); p.startsWith(dir) && !p.equals(dir); p = p.getParent()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
            }
            if (!connect.equals(socket)) {
                Files.setPosixFilePermissions(connect.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            }
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            OtherUser.Run refused = asNobody(scratch, connect);
            assertTrue(refused.out().contains("\"UNAUTHORIZED\""), "the daemon refuses another user: " + refused);
            assertTrue(refused.out().contains("nobody"), "the message names the refused user: " + refused);
            assertTrue(!refused.out().contains("\"ok\""), "nothing was answered to the intruder: " + refused);
            Await.until(Duration.ofSeconds(10), () -> d.log().contains("refused a connection from user nobody"),
                    () -> "the daemon logs the refusal" + d.output());
            // and it still serves its owner
            assertEquals("ok", d.raw().call(1, "query:core.ping.v1", null).path("type").asText());
            System.out.println("[faults] other user" + (Faults.LONG ? " (long run)" : "") + ": " + refused.out().trim());
        } finally {
            for (Path d : List.of(dir, scratch)) {
                try (Stream<Path> walk = Files.walk(d)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
