package dev.cove.graphql;

import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The GraphQL server's token on disk: {@code {instance_data}/graphql/token}, in a 0700 folder, the file
 * 0600 from the moment it exists (created with that mode, written, then renamed over the old one), so the
 * owner's own tools can read it ({@code curl -H "Authorization: Bearer $(cat …)"}) and no other user can.
 */
public final class TokenFile {
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFile() {
    }

    /** Where the token of this instance's GraphQL server is kept. */
    public static Path of(InstancePaths paths) {
        return paths.instanceDataDir().resolve("graphql").resolve("token");
    }

    /** 32 random bytes, URL-safe Base64 (43 characters): safe in a header, a URL fragment and a shell. */
    static String generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Writes {@code token} to {@code file} atomically; the file is never readable by others, not even briefly. */
    static void write(Path file, String token) throws IOException {
        Path dir = file.getParent();
        // the path rule (docs/reliability.md, Security): no link, ours, not writable by others, in a safe parent
        InstancePaths.createPrivateDir(dir.getParent());
        InstancePaths.createPrivateDir(dir);
        Path tmp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        // the mode is given to open(2) itself (O_CREAT|O_EXCL, 0600 masked by the umask): no chmod afterwards
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_RW));
        try {
            Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes the file if it still holds {@code token} (another server of the instance may have replaced it). */
    static void removeIfOurs(Path file, String token) {
        try {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    && Files.readString(file, StandardCharsets.UTF_8).strip().equals(token)) {
                Files.delete(file);
            }
        } catch (IOException e) {
            // best effort: a stale token file only holds a token no server accepts any more
        }
    }
}
