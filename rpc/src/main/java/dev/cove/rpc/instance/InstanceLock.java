package dev.cove.rpc.instance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * The single-instance lock: an exclusive OS lock on a file that holds the owner's PID. The kernel
 * releases it when the process dies, however it dies, so a crash never leaves an instance locked.
 * The file itself is never deleted: deleting it would let two processes lock different inodes.
 */
public final class InstanceLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another live process holds the lock. */
    public static final class HeldException extends IOException {
        private final OptionalLong holderPid;

        HeldException(Path file, OptionalLong holderPid) {
            super("lock " + file + " is held" + (holderPid.isPresent() ? " by pid " + holderPid.getAsLong() : ""));
            this.holderPid = holderPid;
        }

        public OptionalLong holderPid() {
            return holderPid;
        }
    }

    public static InstanceLock acquire(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very JVM
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new HeldException(file, readPid(file));
        }
        byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(pid), 0);
        ch.force(false);
        return new InstanceLock(file, ch, lock);
    }

    /** The PID written in a lock file, if any. It may be stale: check the process and the socket. */
    public static OptionalLong readPid(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
