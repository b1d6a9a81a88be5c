package dev.cove.daemon.jobs;

import dev.cove.api.files.FileNames;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;

/**
 * The freedesktop.org home trash: {@code $XDG_DATA_HOME/Trash} (default {@code ~/.local/share/Trash}) with
 * {@code files/} and {@code info/NAME.trashinfo}. The info file is created first (O_EXCL) to claim the name,
 * as the spec asks; file managers then list and restore what Cove trashed.
 */
public final class Trash {
    private final Path dir;

    public Trash(Path dir) {
        this.dir = dir;
    }

    public static Trash home(Map<String, String> env) {
        String xdg = env.get("XDG_DATA_HOME");
        Path data = xdg != null && !xdg.isBlank() && xdg.startsWith("/") ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "share");
        return new Trash(data.resolve("Trash"));
    }

    public Path dir() {
        return dir;
    }

    /** The .trashinfo text for a path deleted at a time (local time, no zone, as the spec says). */
    public static String info(Path original, LocalDateTime when) {
        return "[Trash Info]\nPath=" + encode(FileNames.of(original)) + "\nDeletionDate="
                + when.truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME) + "\n";
    }

    /** Percent-encodes a path's bytes as the spec's Path key wants (RFC 2396 escaping, '/' kept). */
    static String encode(String path) {
        StringBuilder sb = new StringBuilder(path.length() + 16);
        for (byte x : FileNames.encode(path)) {
            int v = x & 0xFF;
            if ((v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9') || v == '/' || v == '.'
                    || v == '-' || v == '_' || v == '*') {
                sb.append((char) v);
            } else {
                sb.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) v));
            }
        }
        return sb.toString();
    }

    /** Moves {@code p} into the trash; returns where it went. Falls back to copy + delete across file systems. */
    public Path trash(Path p, FileOps ops) throws IOException {
        Path files = dir.resolve("files");
        Path infos = dir.resolve("info");
        if (!Files.isDirectory(files) || !Files.isDirectory(infos)) {
            Files.createDirectories(files);
            Files.createDirectories(infos);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException | IOException ignored) {
                // best effort
            }
        }
        String base = FileNames.name(p);
        String text = info(p.toAbsolutePath(), LocalDateTime.now());
        for (int n = 1; ; n++) {
            String name = n == 1 ? base : ConflictNames.alternative(base, n);
            Path infoFile = FileNames.resolve(infos, name + ".trashinfo");
            try {
                Files.writeString(infoFile, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            Path target = FileNames.resolve(files, name);
            if (Files.exists(target)) {
                Files.delete(infoFile);
                continue;
            }
            try {
                try {
                    Files.move(p, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    ops.copyTree(p, target);
                    ops.deleteTree(p);
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(infoFile);
                throw e;
            }
            return target;
        }
    }
}
