package dev.cove.graphql;

import dev.cove.rpc.instance.FileTrust;
import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The GraphQL server's token on disk: {@code {instance_data}/graphql/token}, in a 0700 folder, the file
 * 0600 from the moment it exists (created with that mode, written, then renamed over the old one), so the
 * owner's own tools can read it ({@code curl -H "Authorization: Bearer $(cat …)"}) and no other user can.
 * It exists only while the server whose token it holds is listening: written once the port is bound, removed
 * when that server stops, never overwritten while it runs (see {@link Claim}).
 */
public final class TokenFile {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TokenFile.class);
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A token file larger than this holds more than a token. */
    private static final int MAX_GIVEN = 4096;

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

    /**
     * The right to keep the token file: an exclusive lock on {@code graphql/token.lock}, held by the one running
     * server whose token the file holds, for as long as it runs. A process that dies (even by {@code kill -9})
     * drops it, so a file whose lock is free is stale.
     */
    static final class Claim implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private Claim(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // closing the channel releases the lock in any case
            }
        }
    }

    /**
     * Claims {@code file} for a server about to start, or returns null when a running server of the instance
     * holds it (that server's token must not be overwritten). Prepares the private folder first.
     */
    static Claim claim(Path file) throws IOException {
        prepareFolder(file.getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel ch = FileChannel.open(lockFile, Set.<java.nio.file.OpenOption>of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(OWNER_RW));
        try {
            FileLock lock = ch.tryLock();
            if (lock != null) {
                return new Claim(ch, lock);
            }
        } catch (OverlappingFileLockException e) {
            // another server in this JVM holds it
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        ch.close();
        return null;
    }

    /** The token the file holds, or null when there is none to read. */
    static String read(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            return t.isEmpty() ? null : t;
        } catch (IOException e) {
            return null;
        }
    }

    /** The token folder ({@code {instance data}/graphql}): ours, not a link, 0700. */
    private static void prepareFolder(Path dir) throws IOException {
        // the path rule (docs/reliability.md, Security): no link, ours, not writable by others, in a safe parent
        InstancePaths.createPrivateDir(dir.getParent());
        InstancePaths.createPrivateDir(dir);
    }

    /**
     * Writes {@code token} to {@code file} atomically; the file is never readable by others, not even briefly.
     * Only the holder of the file's {@link Claim} calls this, once its port is bound.
     */
    static void write(Path file, String token) throws IOException {
        Path dir = file.getParent();
        prepareFolder(dir);
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

    /**
     * A token the user keeps in a file ({@code --token-file}): read only if it is a regular file (not a link),
     * owned by this process's user and closed to group and others, so nobody else can have read or planted it.
     */
    public static String readGiven(Path file) {
        String fix = " (keep the token in a file of your own: chmod 600 " + file + ")";
        try {
            BasicFileAttributes before = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (before.isSymbolicLink()) {
                throw new IllegalArgumentException("--token-file " + file + " is a symlink; give the file itself");
            }
            if (!before.isRegularFile()) {
                throw new IllegalArgumentException("--token-file " + file + " is not a regular file");
            }
            long owner = FileTrust.ownerUid(file);
            if (owner != FileTrust.myUid()) {
                throw new IllegalArgumentException("--token-file " + file + " belongs to "
                        + Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName() + " (uid " + owner + "), not to you"
                        + fix);
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (mode.stream().anyMatch(m -> m.name().startsWith("GROUP") || m.name().startsWith("OTHERS"))) {
                throw new IllegalArgumentException("--token-file " + file + " has mode "
                        + PosixFilePermissions.toString(mode) + ": others may have read it" + fix);
            }
            byte[] bytes;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                if (ch.size() > MAX_GIVEN) {
                    throw new IllegalArgumentException("--token-file " + file + " is larger than " + MAX_GIVEN
                            + " bytes; it should hold the token alone");
                }
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) ch.size());
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // read it all
                }
                bytes = java.util.Arrays.copyOf(b.array(), b.position());
            }
            // the file read is the one checked, not one swapped in between
            Object after = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (before.fileKey() == null || !before.fileKey().equals(after)) {
                throw new IllegalArgumentException("--token-file " + file + " changed while it was read; try again");
            }
            String token = new String(bytes, StandardCharsets.UTF_8).strip();
            if (token.isEmpty() || token.contains("\n")) {
                throw new IllegalArgumentException("--token-file " + file + " must hold the token alone, on one line");
            }
            return token;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("--token-file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --token-file " + file + ": " + e.getMessage());
        }
    }

    /** Removes a token file no running server holds (the caller has the {@link Claim}). */
    static void removeStale(Path file) {
        try {
            if (Files.deleteIfExists(file)) {
                log.info("removed the stale token file {} (its server is gone)", file);
            }
        } catch (IOException e) {
            log.warn("cannot remove the stale token file {}: {}", file, e.toString());
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
