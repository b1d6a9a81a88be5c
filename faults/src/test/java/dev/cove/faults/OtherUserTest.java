package dev.cove.faults;

import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Another user on the machine connecting to someone's daemon. File permissions stop them first (folder 0700,
 * socket 0600); with those opened up on purpose for this test's private daemon, the daemon's own check of the
 * peer's uid (SO_PEERCRED) must refuse them with UNAUTHORIZED and log it.
 */
class OtherUserTest {
    static final String SETPRIV = "/usr/bin/setpriv";
    static final String SOCAT = "/usr/bin/socat";

    record Run(int exit, String out) {
    }

    /** Runs socat as nobody against the socket, sending a hello, and returns what it printed. */
    static Run asNobody(Path socket) throws Exception {
        Process p = new ProcessBuilder(SETPRIV, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                SOCAT, "-t3", "-", "UNIX-CONNECT:" + socket)
                .redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write("{\"type\":\"hello\",\"protocol\":1,\"name\":\"intruder\"}\n{\"id\":1,\"type\":\"query\",\"method\":\"query:core.status.v1\"}\n"
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // socat already gave up (e.g. permission denied on connect): what it printed says why
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "socat as nobody finished");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void anotherUserIsStoppedByPermissionsAndThenByThePeerUidCheck() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to run a client as another user (setpriv); running as " + System.getProperty("user.name"));
        assumeTrue(Files.isExecutable(Path.of(SETPRIV)) && Files.isExecutable(Path.of(SOCAT)),
                "needs " + SETPRIV + " and " + SOCAT);
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "cove-other-user");
        try (DaemonProcess d = DaemonProcess.start(dir.resolve("data"), "owner")) {
            Path socket = d.paths().socket();
            Path connect = d.paths().connectPath();
            // 1. as shipped: the 0700 folder keeps another user out before the daemon sees anything
            Run denied = asNobody(connect);
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
            Run refused = asNobody(connect);
            assertTrue(refused.out().contains("\"UNAUTHORIZED\""), "the daemon refuses another user: " + refused);
            assertTrue(refused.out().contains("nobody"), "the message names the refused user: " + refused);
            assertTrue(!refused.out().contains("\"ok\""), "nothing was answered to the intruder: " + refused);
            Await.until(Duration.ofSeconds(10), () -> d.log().contains("refused a connection from user nobody"),
                    () -> "the daemon logs the refusal" + d.output());
            // and it still serves its owner
            assertEquals("ok", d.raw().call(1, "query:core.ping.v1", null).path("type").asText());
            System.out.println("[faults] other user" + (Faults.LONG ? " (long run)" : "") + ": " + refused.out().trim());
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
