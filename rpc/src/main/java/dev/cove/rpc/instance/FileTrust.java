package dev.cove.rpc.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

/**
 * Whether a file or folder can be trusted by this process: owned by its own user (or root, who could change
 * anything anyway) and writable by no one else (group-write passes only for the user's own private group). Code loaded from, or a socket published through, anything
 * else could be swapped by another user of the machine.
 */
public final class FileTrust {
    private FileTrust() {
    }

    /** This process's uid. */
    public static long myUid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    /** This process's user name ({@code getpwuid(getuid())}), or its uid in digits when it has none. */
    public static String myName() {
        String name = new com.sun.security.auth.module.UnixSystem().getUsername();
        return name != null ? name : Long.toString(myUid());
    }

    private static volatile java.nio.file.attribute.UserPrincipal me;

    /**
     * Whether {@code user} (e.g. a socket peer's, from SO_PEERCRED) is this process's user. The JDK exposes no
     * principal's uid, but builds both a peer's principal and a file owner's from the uid alone (the uid and
     * {@code getpwuid}'s name; {@code equals} compares both), so ours is the owner of a file that is ours: exact
     * even when two accounts share a name or the uid has no name. On Linux that is {@code /proc/self}, which the
     * kernel gives the process's effective uid (one stat, ~1 ms on a cold JVM; a process
     * made non-dumpable would see root there, and root is trusted anyway); elsewhere a file this process has just
     * created. Computed once per process.
     */
    public static boolean isMe(java.nio.file.attribute.UserPrincipal user) {
        java.nio.file.attribute.UserPrincipal mine = me;
        if (mine == null) {
            try {
                mine = Files.getOwner(Path.of("/proc/self"));
            } catch (IOException | RuntimeException e) {
                try {
                    Path probe = Files.createTempFile("cove-uid", ".tmp");
                    try {
                        mine = ownerIfMine(probe);
                    } finally {
                        Files.deleteIfExists(probe);
                    }
                } catch (IOException | RuntimeException e2) {
                    // no temporary folder to write to: fall back on the name, compared below
                }
            }
            if (mine != null) {
                me = mine;
            }
        }
        return mine != null ? mine.equals(user) : user.getName().equals(myName());
    }

    /** The owner of {@code p} (its target, if a link) when that owner's uid is this process's, else null. */
    private static java.nio.file.attribute.UserPrincipal ownerIfMine(Path p) {
        try {
            java.util.Map<String, Object> a = Files.readAttributes(p, "unix:uid,owner");
            return ((Number) a.get("uid")).longValue() == myUid() ? (java.nio.file.attribute.UserPrincipal) a.get("owner")
                    : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The uid owning {@code p} (the link itself, not its target, when {@code p} is a symlink). */
    public static long ownerUid(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    /**
     * Why {@code p} is not to be trusted, or null when it is: it must be owned by this process's user (or, if
     * {@code rootToo}, by root) and not writable by group or others. Symlinks are judged by their target,
     * which must pass as well.
     */
    public static String distrust(Path p, boolean rootToo) throws IOException {
        long me = myUid();
        Path target = Files.isSymbolicLink(p) ? p.toRealPath() : p;
        long owner = ownerUid(target);
        if (owner != me && !(rootToo && owner == 0)) {
            return "it belongs to " + ownerName(target) + " (uid " + owner + "), not to this process's user (uid "
                    + me + ")";
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
        if (mode.contains(PosixFilePermission.OTHERS_WRITE)
                || mode.contains(PosixFilePermission.GROUP_WRITE) && !ownPrivateGroup(target)) {
            return "it is writable by " + (mode.contains(PosixFilePermission.OTHERS_WRITE) ? "every user" : "its group")
                    + " (mode " + java.nio.file.attribute.PosixFilePermissions.toString(mode) + ")";
        }
        return null;
    }

    /**
     * Why the file {@code p} leads to is not to be trusted, or null when it is: {@code p}'s real path (every link
     * on the way resolved) must pass {@link #distrust} with {@code rootToo}, and so must every folder from the
     * root of the file system down to it, except that a folder writable by others may be sticky (as {@code /tmp}):
     * there nobody can rename or replace what is ours. Judging a link by its target alone is not enough: a
     * root-owned jar in a folder another user owns can be swapped by that user at any time.
     *
     * @return the reason, naming the path that fails; the real path is in {@code real[0]} when given
     */
    public static String distrustRealPath(Path p, Path[] real) throws IOException {
        Path target = p.toRealPath();
        if (real != null) {
            real[0] = target;
        }
        Path folder = target.getRoot();
        for (Path name : target.getParent() == null ? List.<Path>of() : iterable(target.getParent())) {
            folder = folder.resolve(name);
            String why = distrustFolder(folder);
            if (why != null) {
                return why + (target.equals(p) ? "" : " (on the way to " + target + ")");
            }
        }
        String why = distrust(target, true);
        return why == null ? null : (target.equals(p) ? "" : "its target " + target + ": ") + why;
    }

    private static List<Path> iterable(Path folder) {
        List<Path> names = new java.util.ArrayList<>();
        folder.forEach(names::add);
        return names;
    }

    /** A folder on the way to a file: the path rule's test for a parent (docs/reliability.md, Security). */
    private static String distrustFolder(Path folder) {
        PathRule.Refusal r = PathRule.checkParent(folder);
        return r == null ? null : r.problem();
    }

    /**
     * Whether {@code p}'s group is this user's own private group (the Debian/Ubuntu convention behind umask
     * 002: a group of the user's name that is their primary group), so group-write lets no one else in.
     */
    static boolean ownPrivateGroup(Path p) throws IOException {
        com.sun.security.auth.module.UnixSystem me = new com.sun.security.auth.module.UnixSystem();
        long gid = ((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue();
        String group = Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS).group().getName();
        return gid == me.getGid() && group.equals(me.getUsername());
    }

    private static String ownerName(Path p) {
        try {
            return Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException e) {
            return "another user";
        }
    }
}
