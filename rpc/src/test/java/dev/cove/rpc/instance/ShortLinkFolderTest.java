package dev.cove.rpc.instance;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The short link for long socket paths lives in a folder under a shared place (/tmp). Another user creating
 * that folder first must not capture the owner's socket: the folder is refused, or a private fallback is used,
 * and the message says which. Here the shared place is a folder of the test's own (world-writable and sticky,
 * like /tmp), so that parallel runs do not touch the real /tmp/cove-$USER; the other user is a real one.
 */
class ShortLinkFolderTest {
    @TempDir
    Path tmp;
    private Path shared;
    private InstancePaths paths;

    @BeforeEach
    void longDataDir() throws IOException {
        shared = tmp.resolve("shared-tmp");
        Files.createDirectory(shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        // the sticky bit is not settable through java.nio; chmod(1) it as /tmp has it
        run("chmod", "1777", shared.toString());
        paths = new InstancePaths(tmp.resolve("d".repeat(100)), "long");
        assertTrue(paths.socket().toString().length() > InstancePaths.MAX_SOCKET_PATH_BYTES);
    }

    private static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            assertEquals(0, p.waitFor(), String.join(" ", cmd));
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    private static UserPrincipal nobody() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            abort("giving a folder to another user needs root; running as " + System.getProperty("user.name"));
        }
        return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    }

    private static List<Path> contents(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void aFolderCreatedFirstByAnotherUserIsRefused() throws IOException {
        Path link = shared.resolve("cove-owner");
        Files.createDirectory(link);
        Files.setPosixFilePermissions(link, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setOwner(link, nobody());

        IOException e = assertThrows(IOException.class, () -> paths.connectPathVia(link, null));
        assertTrue(e.getMessage().contains("belongs to nobody") && e.getMessage().contains("Remove " + link)
                && e.getMessage().contains("XDG_RUNTIME_DIR is not set"), e.getMessage());
        assertEquals(List.of(), contents(link), "nothing of the owner's was put in the other user's folder");
        assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(link)),
                "and the folder was not touched");
        assertEquals("nobody", Files.getOwner(link).getName());
    }

    @Test
    void withAPrivateFallbackTheLinkGoesThere() throws IOException {
        Path link = shared.resolve("cove-owner");
        Files.createDirectory(link);
        Files.setOwner(link, nobody());
        Path runtime = tmp.resolve("run-user");
        Files.createDirectory(runtime, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        Path connect = paths.connectPathVia(link, runtime.resolve("cove"));
        assertTrue(connect.startsWith(runtime.resolve("cove")), connect.toString());
        assertEquals(paths.daemonDir(), connect.getParent().toRealPath());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime.resolve("cove"))));
        assertEquals(List.of(), contents(link));
    }

    @Test
    void aSymlinkInPlaceOfTheFolderIsRefused() throws IOException {
        Path elsewhere = tmp.resolve("elsewhere");
        Files.createDirectory(elsewhere, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = shared.resolve("cove-owner");
        Files.createSymbolicLink(link, elsewhere);
        IOException e = assertThrows(IOException.class, () -> paths.connectPathVia(link, null));
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());
        assertEquals(List.of(), contents(elsewhere));
    }

    @Test
    void ourOwnFolderIsCreatedPrivateOrTightened() throws IOException {
        Path link = shared.resolve("cove-owner");
        Path connect = paths.connectPathVia(link, null);
        assertTrue(connect.startsWith(link), connect.toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(link, LinkOption.NOFOLLOW_LINKS)));
        assertEquals(paths.daemonDir(), connect.getParent().toRealPath());

        Files.setPosixFilePermissions(link, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(connect, paths.connectPathVia(link, null));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(link)),
                "a loose folder of our own is tightened back to 0700");
    }
}
