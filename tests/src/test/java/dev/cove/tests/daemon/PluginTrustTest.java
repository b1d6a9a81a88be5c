package dev.cove.tests.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.TestPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * A plugin runs as the daemon's user: a jar or plugins folder that another user could have written is their
 * code running as the owner. Real daemons, the real test plugin jar: trusted, it loads; writable by others or
 * owned by another user ({@code nobody}), it is not loaded and the log names the file, the reason and the fix.
 */
class PluginTrustTest {
    @TempDir
    Path tmp;

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** The echo op's answer type: "ok" when the plugin loaded, the error code otherwise. */
    private static String echo(DaemonProcess d) {
        JsonNode r = d.raw().call(1, "query:test.echo.v1", Map.of("text", "x", "n", 1));
        return r.path("type").asText().equals("ok") ? "ok" : r.path("error").path("code").asText();
    }

    @Test
    void aTrustedPluginLoads() {
        TestPlugin.installInto(tmp);
        try (DaemonProcess d = DaemonProcess.start(tmp, "trusted")) {
            assertEquals("ok", echo(d), d.output());
        }
    }

    @Test
    void aJarWritableByOthersIsNotLoaded() throws IOException {
        Path jar = TestPlugin.installInto(tmp);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-rw-rw-"));
        try (DaemonProcess d = DaemonProcess.start(tmp, "writable")) {
            assertEquals("METHOD_NOT_FOUND", echo(d), d.output());
            Await.until(WAIT, () -> d.log().contains("not loading plugin " + jar + ": it is writable by every user"),
                    () -> "the log says which jar and why: " + d.log());
            Await.until(WAIT, () -> d.log().contains("chmod go-w " + jar), () -> "and the fix: " + d.log());
        }
    }

    @Test
    void aJarOwnedByAnotherUserIsNotLoaded() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            abort("giving the jar to another user needs root; running as " + System.getProperty("user.name"));
        }
        Path jar = TestPlugin.installInto(tmp);
        Files.setOwner(jar, FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        try (DaemonProcess d = DaemonProcess.start(tmp, "foreign")) {
            assertEquals("METHOD_NOT_FOUND", echo(d), d.output());
            Await.until(WAIT, () -> d.log().contains("not loading plugin " + jar + ": it belongs to nobody"),
                    () -> "the log says which jar and why: " + d.log());
        }
    }

    @Test
    void aPluginsFolderWritableByOthersIsNotUsedAtAll() throws IOException {
        Path jar = TestPlugin.installInto(tmp);
        Path dir = jar.getParent();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (DaemonProcess d = DaemonProcess.start(tmp, "open-folder")) {
            assertEquals("METHOD_NOT_FOUND", echo(d), d.output());
            Await.until(WAIT, () -> d.log().contains("not loading any plugin from " + dir + ": " + dir
                    + " is not safe, it is writable by every user"), () -> "the log names the folder: " + d.log());
            // the daemon itself runs on
            assertEquals("ok", d.raw().call(2, "query:core.ping.v1", null).path("type").asText());
        }
    }

    /**
     * Issue 18 item 7: a link in the plugins folder to a jar that is itself fine (ours: root runs the tests) but
     * lies in a folder {@code nobody} owns. Nobody can swap that jar at will, so it is not loaded; the log names
     * the folder on the way and its owner.
     */
    @Test
    void aLinkToAJarInAFolderAnotherUserOwnsIsNotLoaded() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            abort("giving a folder to another user needs root; running as " + System.getProperty("user.name"));
        }
        Path jar = TestPlugin.installInto(tmp);
        Path foreign = Files.createDirectory(tmp.resolve("nobodys"));
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setOwner(foreign, FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        Path real = Files.move(jar, foreign.resolve(jar.getFileName()));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(jar, real);
        try (DaemonProcess d = DaemonProcess.start(tmp, "linked-foreign")) {
            assertEquals("METHOD_NOT_FOUND", echo(d), d.output());
            Await.until(WAIT, () -> d.log().contains("not loading plugin " + jar + ": " + foreign + " belongs to nobody")
                    && d.log().contains("(on the way to " + real + ")"), () -> "the log names the folder on the way: " + d.log());
        }
    }

    /** The same link to a jar whose every folder is safe (ours, or root's and sticky as /tmp) loads. */
    @Test
    void aLinkToAJarInSafeFoldersLoads() throws IOException {
        Path jar = TestPlugin.installInto(tmp);
        Path elsewhere = Files.createDirectory(tmp.resolve("kept"));
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path real = Files.move(jar, elsewhere.resolve(jar.getFileName()));
        Files.createSymbolicLink(jar, real);
        try (DaemonProcess d = DaemonProcess.start(tmp, "linked-safe")) {
            assertEquals("ok", echo(d), d.output());
        }
    }

    /** A link to a jar that is itself writable by others is refused by its real path. */
    @Test
    void aLinkToAJarWritableByOthersIsNotLoaded() throws IOException {
        Path jar = TestPlugin.installInto(tmp);
        Path elsewhere = Files.createDirectory(tmp.resolve("kept"));
        Path real = Files.move(jar, elsewhere.resolve(jar.getFileName()));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.createSymbolicLink(jar, real);
        try (DaemonProcess d = DaemonProcess.start(tmp, "linked-open")) {
            assertEquals("METHOD_NOT_FOUND", echo(d), d.output());
            Await.until(WAIT, () -> d.log().contains("not loading plugin " + jar + ": its target " + real
                    + ": it is writable by every user"), () -> "the log names the real file: " + d.log());
        }
    }
}
