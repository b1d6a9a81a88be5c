package dev.cove.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file others must be able to read but never write (a systemd unit, a node_exporter textfile): mode 0644
 * whatever the umask, written so that a reader sees the old file or the new one, never half of one.
 */
public final class ReadableFile {
    private ReadableFile() {
    }

    /**
     * Writes {@code text} to a temporary file in {@code target}'s folder (a dot-file, which collectors and
     * systemd ignore), sets 0644 on it explicitly (a mode given at creation would be cut by the umask), then
     * renames it over {@code target} (an absolute path). On failure the temporary file is removed.
     */
    public static void write(Path target, String text) throws IOException {
        if (!target.isAbsolute()) {
            // the JVM's folder is not the user's when the CLI runs in the daemon: callers resolve first
            throw new IllegalArgumentException("not an absolute path: " + target);
        }
        Path dir = target.getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
