package dev.cove.rpc.instance;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The path rule (docs/reliability.md, "Security"), the one Java implementation of it: every folder Cove creates
 * or enters on the way to its socket, lock, logs, databases and token must be
 * <ul>
 *   <li>a real folder, judged without following links (a symlink is refused, whatever it points to);</li>
 *   <li>owned by this process's uid;</li>
 *   <li>not writable by group or others: a folder that is ours but looser than that is tightened (group and
 *       other bits cleared), through an open descriptor of the folder itself;</li>
 *   <li>inside a parent owned by us or root and not writable by group or others, unless the parent is sticky
 *       (as {@code /tmp}), where others cannot rename or remove what is ours.</li>
 * </ul>
 * Anything else is refused with an {@link UnsafeFolderException} naming the folder, its owner and mode, and the
 * command that fixes it; nothing is changed before the folder has passed.
 *
 * <p>How "through an open descriptor" is done without native code: on Linux (and macOS) the JDK's
 * {@link SecureDirectoryStream} opens a child relative to its parent's descriptor with {@code O_NOFOLLOW}
 * ({@code openat}), and its attribute view on itself reads with {@code fstat} and sets the mode with
 * {@code fchmod}. The folder is first judged by {@code lstat}, then opened that way and its file key (device and
 * inode) compared with what {@code lstat} saw, so the mode is set on exactly the folder that was judged. Where the
 * JDK has no secure stream, the mode is set by path; that is still race-free here, because the parent has passed
 * the rule first: in a parent that is ours or root's and not writable by others (or sticky), nobody else can
 * rename, remove or replace our entry between the check and the chmod, so the path still names the folder judged.
 *
 * <p>"This process's uid" comes from {@code com.sun.security.auth.module.UnixSystem} (module jdk.security.auth,
 * part of every JDK; the real uid from {@code getuid(2)}), see {@link FileTrust#myUid()}.
 */
public final class PathRule {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private static final int GROUP_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;

    private PathRule() {
    }

    /** What {@link #ensure} did to a folder that passed. */
    public enum Outcome { CREATED, OK, TIGHTENED, LEFT_LOOSE }

    /** Why a folder cannot be used, and what fixes it; {@code folder} is the one at fault (maybe a parent). */
    public record Refusal(Path folder, String problem, String fix) {
        public String message() {
            return problem + ". Fix: " + fix;
        }

        /** As the client library reports it: BAD_DATA_DIR, with the folder, problem and fix as details. */
        public dev.cove.rpc.RpcException toRpcException() {
            return new dev.cove.rpc.RpcException(dev.cove.rpc.ErrorCode.BAD_DATA_DIR, message(),
                    Map.of("folder", folder.toString(), "problem", problem, "fix", fix));
        }
    }

    /** A folder that breaks the rule (or cannot be created); the message names it, its owner and mode, and the fix. */
    public static final class UnsafeFolderException extends IOException {
        private final transient Refusal refusal;

        public UnsafeFolderException(Refusal refusal) {
            super(refusal.message());
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    /**
     * Makes {@code dir} a folder that passes the rule: created 0700 if absent (with any missing ancestors, which
     * the rule does not cover), tightened if ours but too loose. Throws {@link UnsafeFolderException} for
     * anything else, having changed nothing.
     */
    public static Outcome ensure(Path dir) throws IOException {
        return ensure(dir, true);
    }

    /**
     * {@link #ensure(Path)}, but with {@code tighten} false a folder that is ours and only too loose is left as it
     * is ({@link Outcome#LEFT_LOOSE}): for clients, which leave that to the daemon so that its log says it once.
     * (A client is safe in such a folder meanwhile: it talks only to a server of its own uid.)
     */
    public static Outcome ensure(Path dir, boolean tighten) throws IOException {
        dir = dir.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        if (parent == null) {
            throw new UnsafeFolderException(new Refusal(dir, dir + " cannot be a data folder", "choose another --data-dir"));
        }
        try {
            Files.createDirectories(parent);
        } catch (FileAlreadyExistsException e) {
            throw new UnsafeFolderException(new Refusal(parent, parent + " is not a folder",
                    "move it away (mv " + parent + " " + parent + ".old) or choose another --data-dir"));
        } catch (IOException e) {
            throw new UnsafeFolderException(cannotCreate(parent, e));
        }
        Refusal parentWhy = checkParent(parent);
        if (parentWhy != null) {
            throw new UnsafeFolderException(parentWhy);
        }
        boolean created = false;
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                // mkdir(2) with the mode: never follows a link, fails if anything took the name first
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
                created = true;
            } catch (FileAlreadyExistsException e) {
                // someone else's, made just now: judged below like any existing one
            } catch (IOException e) {
                throw new UnsafeFolderException(cannotCreate(dir, e));
            }
        }
        Map<String, Object> seen = Files.readAttributes(dir, "unix:uid,mode,fileKey,isDirectory,isSymbolicLink",
                LinkOption.NOFOLLOW_LINKS);
        Refusal why = judge(dir, seen);
        if (why != null) {
            throw new UnsafeFolderException(why);
        }
        int mode = (Integer) seen.get("mode") & 07777;
        if ((mode & 077) == 0) {
            return created ? Outcome.CREATED : Outcome.OK;
        }
        if (!tighten) {
            return Outcome.LEFT_LOOSE;
        }
        tighten(dir, seen.get("fileKey"), mode);
        return Outcome.TIGHTENED;
    }

    /**
     * Why {@code dir} breaks the rule as it stands (nothing is created or changed), or null when it passes or does
     * not exist yet but could be created. A folder that is ours and only too loose passes ({@link #ensure}
     * tightens it). For {@code cove doctor} and for clients that must not create anything.
     */
    public static Refusal inspect(Path dir) {
        dir = dir.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Path p = parent;
                while (p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    p = p.getParent();
                }
                if (p == null) {
                    return null;
                }
                if (!Files.isDirectory(p)) {
                    return new Refusal(p, dir + " cannot be created: " + p + " is not a folder",
                            "move " + p + " away or choose another --data-dir");
                }
                String cannotWrite = cannotWrite(p);
                if (cannotWrite != null && cannotWrite.contains("read-only")) {
                    return new Refusal(p, dir + " cannot be created: " + p + " is on a read-only file system",
                            "choose a --data-dir on a writable file system");
                }
                // root may write anywhere by access(2), but not create in /proc or /sys
                if (p.startsWith("/proc") || p.startsWith("/sys")) {
                    return new Refusal(p, dir + " cannot be created: " + p + " is a kernel file system that takes no "
                            + "new folders", "choose another --data-dir");
                }
                if (cannotWrite != null) {
                    return new Refusal(p, dir + " cannot be created: you cannot write to " + p
                            + " (owner " + describe(p) + ")", "create it yourself (mkdir -p " + dir
                            + ") as a user who can, or choose another --data-dir");
                }
                return p.equals(parent) ? checkParent(parent) : null;
            }
            Refusal why = judge(dir, Files.readAttributes(dir, "unix:uid,mode,fileKey,isDirectory,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS));
            if (why != null) {
                return why;
            }
            if (parent != null) {
                why = checkParent(parent);
                if (why != null) {
                    return why;
                }
            }
            String cannotWrite = cannotWrite(dir);
            if (cannotWrite != null && cannotWrite.contains("read-only")) {
                return new Refusal(dir, dir + " is on a read-only file system",
                        "remount it read-write, or choose a --data-dir on a writable file system");
            }
            if (cannotWrite != null) {
                return new Refusal(dir, dir + " is yours but you cannot write to it: " + cannotWrite + " (owner "
                        + describe(dir) + ")", "chmod 700 " + dir);
            }
            return null;
        } catch (IOException e) {
            return new Refusal(dir, "cannot read " + dir + ": " + reason(e), "ls -ld " + dir);
        }
    }

    /**
     * Why this process cannot write to {@code p} ("read-only file system", "permission denied"), or null. access(2)
     * answers EROFS for a read-only mount even to root, and sees bind mounts, which FileStore.isReadOnly() misses.
     */
    private static String cannotWrite(Path p) {
        try {
            p.getFileSystem().provider().checkAccess(p, java.nio.file.AccessMode.WRITE);
            return null;
        } catch (IOException e) {
            return reason(e);
        }
    }

    /** The folder itself, from lstat: a real folder owned by us. */
    private static Refusal judge(Path dir, Map<String, Object> a) throws IOException {
        if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
            return new Refusal(dir, dir + " is a symlink (to " + Files.readSymbolicLink(dir) + "), not a folder; "
                    + "Links are not followed on the way to the socket and data, since whoever can change the "
                    + "link could redirect them", "remove the link (rm " + dir + ") and let the daemon create the folder, "
                    + "or give the real folder as --data-dir");
        }
        if (!Boolean.TRUE.equals(a.get("isDirectory"))) {
            return new Refusal(dir, dir + " is not a folder", "move it away (mv " + dir + " " + dir
                    + ".old) or choose another --data-dir");
        }
        long uid = ((Number) a.get("uid")).longValue();
        if (uid != FileTrust.myUid()) {
            return new Refusal(dir, dir + " belongs to " + describe(dir) + ", not to you (" + me()
                    + "); another user could change what is kept there", "if you trust it, take it over (sudo chown -R "
                    + userName() + " " + dir + "); otherwise remove it (sudo rm -r " + dir
                    + ") or choose another --data-dir");
        }
        return null;
    }

    /**
     * The folder holding ours: owned by us or root, and not writable by others (group-write passes for the user's
     * own private group), unless sticky. Judged where it really is (its links followed): that is where our entry
     * lives.
     */
    public static Refusal checkParent(Path parent) {
        try {
            Map<String, Object> a = Files.readAttributes(parent, "unix:uid,mode,isDirectory");
            if (!Boolean.TRUE.equals(a.get("isDirectory"))) {
                return new Refusal(parent, parent + " is not a folder", "choose another --data-dir");
            }
            long uid = ((Number) a.get("uid")).longValue();
            int mode = (Integer) a.get("mode");
            if (uid != FileTrust.myUid() && uid != 0) {
                return new Refusal(parent, parent + " belongs to " + describe(parent)
                        + "; that user could swap what is kept inside", "choose a --data-dir in a folder of your own");
            }
            if ((mode & STICKY) == 0 && (mode & GROUP_OTHER_WRITE) != 0
                    && ((mode & 0002) != 0 || !FileTrust.ownPrivateGroup(parent))) {
                return new Refusal(parent, parent + " is writable by "
                        + ((mode & 0002) != 0 ? "every user" : "its group") + " (owner " + describe(parent)
                        + "); they could swap what is kept inside", (uid == FileTrust.myUid() ? "chmod go-w " + parent
                        : "ask root to run: chmod go-w " + parent) + ", or choose a --data-dir in a folder of your own");
            }
            return null;
        } catch (IOException e) {
            return new Refusal(parent, "cannot read " + parent + ": " + reason(e), "ls -ld " + parent);
        }
    }

    /** Clears the group and other bits of {@code dir}, which lstat saw as {@code key}, through its descriptor. */
    private static void tighten(Path dir, Object key, int mode) throws IOException {
        Set<PosixFilePermission> target = PosixFilePermissions.fromString(permString(mode & 0700));
        try (DirectoryStream<Path> parentStream = Files.newDirectoryStream(dir.getParent())) {
            if (parentStream instanceof SecureDirectoryStream<Path> parent) {
                // openat(parent, name, O_NOFOLLOW|O_DIRECTORY): a link swapped in since lstat fails to open
                try (SecureDirectoryStream<Path> self = parent.newDirectoryStream(dir.getFileName(),
                        LinkOption.NOFOLLOW_LINKS)) {
                    PosixFileAttributeView view = self.getFileAttributeView(PosixFileAttributeView.class);
                    PosixFileAttributes a = view.readAttributes(); // fstat
                    if (!a.isDirectory() || !a.fileKey().equals(key)) {
                        throw new UnsafeFolderException(new Refusal(dir, dir + " changed while it was being checked",
                                "look at it (ls -ld " + dir + "); if another user can change it, choose another --data-dir"));
                    }
                    view.setPermissions(target); // fchmod
                }
                return;
            }
        } catch (FileSystemException e) {
            throw new UnsafeFolderException(new Refusal(dir, "cannot open " + dir + " to tighten it: " + reason(e),
                    "chmod 700 " + dir));
        }
        // no secure stream on this platform: the parent passed the rule, so the path still names the folder judged
        Files.setPosixFilePermissions(dir, target);
    }

    private static Refusal cannotCreate(Path dir, IOException e) {
        String why = reason(e);
        Path parent = dir.getParent();
        if (e instanceof NoSuchFileException && parent != null && Files.isDirectory(parent)) {
            return new Refusal(dir, dir + " cannot be created: " + parent + " takes no new folders (a kernel file "
                    + "system such as /proc)", "choose another --data-dir");
        }
        if (e instanceof NoSuchFileException || e instanceof AccessDeniedException) {
            return new Refusal(dir, dir + " cannot be created: " + why, "create it yourself (mkdir -p " + dir
                    + ") as a user who can, or choose another --data-dir");
        }
        if (why.contains("read-only file system")) {
            return new Refusal(dir, dir + " cannot be created: " + (parent == null ? "" : parent + " is on ")
                    + "a read-only file system", "choose a --data-dir on a writable file system");
        }
        if (why.contains("no space left")) {
            return new Refusal(dir, dir + " cannot be created: no space left on its file system",
                    "free some space (df -h " + (parent == null ? dir : parent) + ") or choose another --data-dir");
        }
        return new Refusal(dir, dir + " cannot be created: " + why, "choose another --data-dir");
    }

    /** The reason of an I/O failure, as the OS put it. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return String.valueOf(e.getMessage());
    }

    /** "nobody (uid 65534, mode 0777)": the owner and mode of {@code p}, not following a link. */
    static String describe(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode,owner", LinkOption.NOFOLLOW_LINKS);
            return ((java.nio.file.attribute.UserPrincipal) a.get("owner")).getName() + " (uid "
                    + a.get("uid") + ", mode " + String.format("%04o", (Integer) a.get("mode") & 07777) + ")";
        } catch (IOException | RuntimeException e) {
            return "owner and mode unreadable";
        }
    }

    private static String me() {
        return userName() + ", uid " + FileTrust.myUid();
    }

    private static String userName() {
        return new com.sun.security.auth.module.UnixSystem().getUsername();
    }

    private static String permString(int mode) {
        StringBuilder sb = new StringBuilder(9);
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }
}
