package dev.cove.daemon.jobs;

import dev.cove.api.Plural;
import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.files.FileNames;
import dev.cove.api.jobs.FileCounts;
import dev.cove.rpc.RpcException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file work behind copy, move, rename and delete jobs. Copies go to a hidden temporary name beside the
 * target and are renamed into place, so no partial file ever has the final name; a failure or cancel removes
 * the temporary file. Modified times and permissions are kept.
 */
public final class FileOps {
    /** Copy in chunks this big, checking for cancel/pause between them. */
    static final long CHUNK = 8L << 20;
    /**
     * Optional bandwidth cap for copies (bytes per second), from the system property
     * {@code cove.copy.maxBytesPerSecond}: for slow links and for tests that need a copy to last.
     */
    static final long MAX_BPS = Long.getLong("cove.copy.maxBytesPerSecond", 0L);

    private final JobContext ctx;
    private final ConflictPolicy policy;
    private long copied, skipped, overwritten, renamed, bytesWritten;
    /** False while a move falls back to copying: the move itself is counted once, not each file it copies. */
    private boolean counting = true;

    public FileOps(JobContext ctx, ConflictPolicy policy) {
        this.ctx = ctx;
        this.policy = policy == null ? ConflictPolicy.FAIL : policy;
    }

    /**
     * A source and where it goes.
     *
     * @param renamed whether the target is a free name found beside an existing one (policy KEEP_BOTH)
     */
    public record Step(Path source, Path target, boolean renamed) {
    }

    /** What was done with each file so far. */
    public FileCounts counts() {
        return new FileCounts(copied, skipped, overwritten, renamed);
    }

    /** Bytes of the files actually written (not those skipped). */
    public long bytesWritten() {
        return bytesWritten;
    }

    private enum Outcome { COPIED, SKIPPED, OVERWRITTEN, RENAMED }

    private void count(Outcome o) {
        if (!counting) {
            return;
        }
        switch (o) {
            case COPIED -> copied++;
            case SKIPPED -> skipped++;
            case OVERWRITTEN -> overwritten++;
            case RENAMED -> renamed++;
        }
        ctx.counts(counts());
    }

    /**
     * Copies one planned step. A step KEEP_BOTH put under a free name counts its files as renamed: a folder's
     * files keep their names, but beside the existing ones, in "folder (2)".
     */
    public void copy(Step s) throws IOException {
        copyTree(s.source(), s.target(), s.renamed() ? Outcome.RENAMED : Outcome.COPIED);
    }

    /** Moves one planned step (see {@link #move}). */
    public void move(Step s) throws IOException {
        move(s.source(), s.target(), s.renamed());
    }

    /**
     * Checks sources and destination before a job starts and pairs each source with its target. Errors are
     * the caller's to fix, so they come back as NOT_FOUND / INVALID_INPUT / CONFLICT right away.
     */
    public static List<Step> plan(List<String> sources, String destination, ConflictPolicy policy, String verb) {
        ConflictPolicy pol = policy == null ? ConflictPolicy.FAIL : policy;
        Path dest = FileNames.path(destination).normalize();
        boolean destDir = Files.isDirectory(dest);
        if (!destDir && sources.size() > 1) {
            throw Files.exists(dest)
                    ? RpcException.invalidInput("destination " + dest + " is a file; to " + verb + " several items, name a folder")
                    : RpcException.notFound("destination folder " + dest + " does not exist; create it first");
        }
        if (!destDir) {
            Path parent = dest.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw RpcException.notFound("folder " + parent + " does not exist, so " + dest + " cannot be created there");
            }
        }
        List<Step> steps = new ArrayList<>();
        for (String s : sources) {
            Path src = FileNames.path(s).normalize();
            if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
                throw RpcException.notFound("no such file or folder: " + FileNames.show(src));
            }
            Path target = destDir ? dest.resolve(src.getFileName()) : dest;
            if (target.equals(src) && pol != ConflictPolicy.KEEP_BOTH) {
                throw RpcException.invalidInput(src + " would be " + (verb.equals("copy") ? "copied" : "moved")
                        + " onto itself; pick another destination or use --conflict keep-both");
            }
            if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS) && target.startsWith(src) && !target.equals(src)) {
                throw RpcException.invalidInput("cannot " + verb + " folder " + src + " into itself (" + target + ")");
            }
            if (pol == ConflictPolicy.FAIL && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw RpcException.conflict(FileNames.show(target) + " already exists; choose a conflict policy (--conflict): skip, overwrite or keep-both");
            }
            boolean renamed = false;
            if (pol == ConflictPolicy.KEEP_BOTH) {
                Path free = ConflictNames.free(target);
                renamed = !free.equals(target);
                target = free;
            }
            steps.add(new Step(src, target, renamed));
        }
        return steps;
    }

    /** Files (non-folders) and bytes below the given paths. */
    public static long[] measure(List<Path> paths) throws IOException {
        long[] out = new long[2];
        for (Path p : paths) {
            Files.walkFileTree(p, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    out[0]++;
                    out[1] += attrs.isRegularFile() ? attrs.size() : 0;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return out;
    }

    /** Copies a file or folder tree to {@code dst}, merging into existing folders by the conflict policy. */
    public void copyTree(Path src, Path dst) throws IOException {
        copyTree(src, dst, Outcome.COPIED);
    }

    /** {@code outcome}: how a file counts when its target is free. */
    private void copyTree(Path src, Path dst, Outcome outcome) throws IOException {
        if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            ctx.checkpoint();
            if (Files.exists(dst, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(dst, LinkOption.NOFOLLOW_LINKS)) {
                    dst = resolveConflict(dst);
                    if (dst == null) {
                        count(Outcome.SKIPPED);
                        return;
                    }
                    Files.createDirectory(dst);
                }
            } else {
                Files.createDirectory(dst);
            }
            List<Path> children;
            try (Stream<Path> s = Files.list(src)) {
                children = s.sorted().toList();
            }
            for (Path c : children) {
                copyTree(c, dst.resolve(c.getFileName()), outcome);
            }
            Files.setLastModifiedTime(dst, Files.getLastModifiedTime(src, LinkOption.NOFOLLOW_LINKS));
        } else {
            copyFile(src, dst, outcome);
        }
    }

    /** The target to write given a conflict, or null to skip. */
    private Path resolveConflict(Path dst) {
        return switch (policy) {
            case SKIP -> null;
            case OVERWRITE -> dst;
            case KEEP_BOTH -> ConflictNames.free(dst);
            case FAIL -> throw RpcException.conflict(FileNames.show(dst) + " already exists; choose a conflict policy (--conflict): skip, overwrite or keep-both");
        };
    }

    public void copyFile(Path src, Path dst) throws IOException {
        copyFile(src, dst, Outcome.COPIED);
    }

    /** {@code outcome}: how the file counts when its target is free (COPIED, or RENAMED for a KEEP_BOTH step). */
    private void copyFile(Path src, Path dst, Outcome outcome) throws IOException {
        ctx.checkpoint();
        BasicFileAttributes a = Files.readAttributes(src, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        boolean replace = false;
        if (Files.exists(dst, LinkOption.NOFOLLOW_LINKS)) {
            Path r = resolveConflict(dst);
            if (r == null) {
                ctx.advance(1, a.isRegularFile() ? a.size() : 0);
                count(Outcome.SKIPPED);
                return;
            }
            replace = r.equals(dst);
            outcome = replace ? Outcome.OVERWRITTEN : Outcome.RENAMED;
            dst = r;
        }
        if (!a.isRegularFile()) { // symbolic links and special files: copied as they are
            if (replace) {
                Files.copy(src, dst, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.copy(src, dst, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            }
            ctx.advance(1, 0);
            count(outcome);
            return;
        }
        Path tmp = ConflictNames.temporary(dst, ctx.id());
        ctx.tempFile(tmp);
        try {
            long started = System.nanoTime();
            long written = 0;
            try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                long size = in.size();
                long chunk = MAX_BPS > 0 ? Math.max(64 * 1024, Math.min(CHUNK, MAX_BPS / 20)) : CHUNK;
                while (written < size) {
                    long n = in.transferTo(written, Math.min(chunk, size - written), out);
                    if (n <= 0) {
                        break; // the source shrank while we copied
                    }
                    written += n;
                    ctx.advance(0, n);
                    ctx.checkpoint();
                    throttle(started, written);
                }
            }
            try {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(src));
            } catch (UnsupportedOperationException | IOException ignored) {
                // not a POSIX file system: defaults are fine
            }
            Files.setLastModifiedTime(tmp, a.lastModifiedTime());
            if (!replace && Files.exists(dst, LinkOption.NOFOLLOW_LINKS)) {
                throw RpcException.conflict(dst + " appeared while it was being copied; nothing was overwritten");
            }
            Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            ctx.advance(1, 0);
            bytesWritten += written;
            count(outcome);
        } catch (java.nio.file.AccessDeniedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("permission denied: cannot write " + dst.getFileName() + " into " + dst.getParent()
                    + " (or read " + src + ")", e);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        } finally {
            ctx.tempFile(null);
        }
    }

    private static void throttle(long startedNanos, long copied) {
        if (MAX_BPS <= 0) {
            return;
        }
        long dueNanos = (long) (copied * 1e9 / MAX_BPS);
        long ahead = dueNanos - (System.nanoTime() - startedNanos);
        if (ahead > 0) {
            try {
                Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Moves by rename when it can (same file system), else copies then deletes the source. */
    public void move(Path src, Path dst) throws IOException {
        move(src, dst, false);
    }

    private void move(Path src, Path dst, boolean planRenamed) throws IOException {
        ctx.checkpoint();
        boolean exists = Files.exists(dst, LinkOption.NOFOLLOW_LINKS);
        Outcome outcome = planRenamed ? Outcome.RENAMED : Outcome.COPIED;
        if (exists) {
            Path r = resolveConflict(dst);
            if (r == null) {
                ctx.advance(1, 0);
                count(Outcome.SKIPPED);
                return;
            }
            outcome = r.equals(dst) ? Outcome.OVERWRITTEN : Outcome.RENAMED;
            dst = r;
            exists = Files.exists(dst, LinkOption.NOFOLLOW_LINKS);
        }
        try {
            if (exists) {
                Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
            }
            ctx.advance(1, 0);
        } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
            counting = false;
            try {
                copyTree(src, dst);
            } finally {
                counting = true;
            }
            deleteTree(src);
        }
        count(outcome);
    }

    /** Deletes a file or a folder tree for good. */
    public void deleteTree(Path p) throws IOException {
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                ctx.checkpoint();
                Files.deleteIfExists(file);
                ctx.advance(1, attrs.isRegularFile() ? attrs.size() : 0);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static FileTime mtime(Path p) throws IOException {
        return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
    }
}
