package dev.cove.cli;

import dev.cove.rpc.Nullable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who holds a lock file (the daemon's or the supervisor's), asked of the kernel through /proc/locks on
 * Linux: the truth without touching the lock, since trying it would make a daemon or supervisor that is
 * starting at that instant fail. (A process's command line is no help: the JDK cuts long ones short.)
 */
public final class LockHolder {
    private LockHolder() {
    }

    /**
     * The pid holding a POSIX lock on {@code file}; empty when nobody does; null when this system cannot
     * tell (no /proc/locks, e.g. macOS), so that callers fall back to the pid written in the file.
     */
    public static @Nullable Optional<Long> of(Path file) {
        Path locks = Path.of("/proc/locks");
        if (!Files.isReadable(locks) || !Files.exists(file)) {
            return Files.exists(file) ? null : Optional.empty();
        }
        try {
            long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            for (String line : Files.readAllLines(locks, StandardCharsets.US_ASCII)) {
                // "1: POSIX  ADVISORY  WRITE 4242 00:2f:1234 0 EOF"; "1: -> POSIX ..." lines are waiters
                String[] f = line.trim().split("\\s+");
                if (f.length < 6 || f[1].equals("->")) {
                    continue;
                }
                String[] id = f[5].split(":");
                if (id.length == 3 && Long.parseLong(id[2]) == inode && Long.parseLong(id[0], 16) == major
                        && Long.parseLong(id[1], 16) == minor) {
                    return Optional.of(Long.parseLong(f[4]));
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
