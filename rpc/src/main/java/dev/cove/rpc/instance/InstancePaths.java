package dev.cove.rpc.instance;

import dev.cove.rpc.AppIdentity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where one named instance keeps its socket, lock, logs and data:
 * <pre>
 * {data}/daemon/daemon[-{name}].sock   socket (folder 0700, socket 0600)
 * {data}/daemon/daemon[-{name}].lock   single-instance lock holding the PID; never deleted
 * {data}/logs/daemon[-{name}].log      rolling log
 * {data}/instances/{name}/             a named instance's data; the default instance uses {data}
 * {data}/plugins/                      extra operation jars
 * </pre>
 */
public record InstancePaths(Path dataDir, String instance, AppIdentity app) {
    public static final String DEFAULT = "default";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
    /** sun_path is 108 bytes on Linux and 104 on macOS, both counting the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 100;

    public InstancePaths {
        dataDir = dataDir.toAbsolutePath().normalize();
        instance = instance == null || instance.isBlank() ? DEFAULT : instance;
        checkName(instance);
        app = app == null ? AppIdentity.ambient() : app;
    }

    /** An instance of the application the class path declares ({@link AppIdentity#ambient()}). */
    public InstancePaths(Path dataDir, String instance) {
        this(dataDir, instance, null);
    }

    /**
     * Resolves the data folder the way every program of the application does: the explicit value, else
     * {@link AppIdentity#defaultDataDir} ({@code {PREFIX}_DATA_DIR}, else {@code $XDG_DATA_HOME/{name}}, else
     * {@code $HOME/.local/share/{name}}).
     */
    public static InstancePaths resolve(AppIdentity app, Path explicitDataDir, String instance) {
        return new InstancePaths(explicitDataDir != null ? explicitDataDir : app.defaultDataDir(System.getenv()),
                instance, app);
    }

    /** {@link #resolve(AppIdentity, Path, String)} for the application the class path declares. */
    public static InstancePaths resolve(Path explicitDataDir, String instance) {
        return resolve(AppIdentity.ambient(), explicitDataDir, instance);
    }

    /** The default data folder of the application the class path declares. */
    public static Path defaultDataDir(Map<String, String> env) {
        return AppIdentity.ambient().defaultDataDir(env);
    }

    /** Another instance of the same application in the same data folder. */
    public InstancePaths withInstance(String name) {
        return new InstancePaths(dataDir, name, app);
    }

    public static void checkName(String instance) {
        if (!NAME.matcher(instance).matches()) {
            throw new IllegalArgumentException("instance name '" + instance
                    + "' must be 1-40 characters of a-z, 0-9, '-' and '_', starting with a letter or digit");
        }
    }

    public boolean isDefault() {
        return instance.equals(DEFAULT);
    }

    private String suffix() {
        return isDefault() ? "" : "-" + instance;
    }

    public Path daemonDir() {
        return dataDir.resolve("daemon");
    }

    public Path socket() {
        return daemonDir().resolve("daemon" + suffix() + ".sock");
    }

    public Path lockFile() {
        return daemonDir().resolve("daemon" + suffix() + ".lock");
    }

    /** Held by clients while they start a daemon, so racing clients start one between them. */
    public Path spawnLockFile() {
        return daemonDir().resolve("spawn" + suffix() + ".lock");
    }

    /** Held by the supervisor (a process that restarts the daemon) of this instance, holding its PID; never deleted. */
    public Path supervisorLockFile() {
        return daemonDir().resolve("supervisor" + suffix() + ".lock");
    }

    /** The supervisor's restart count and last daemon exit, rewritten on each restart. */
    public Path supervisorStateFile() {
        return daemonDir().resolve("supervisor" + suffix() + ".state");
    }

    /** The supervisor's own log: starts, crashes, backoff, giving up. */
    public Path supervisorLogFile() {
        return logDir().resolve("supervisor" + suffix() + ".log");
    }

    public Path logDir() {
        return dataDir.resolve("logs");
    }

    public Path logFile() {
        return logDir().resolve("daemon" + suffix() + ".log");
    }

    /** Standard output and error of a daemon started in the background (JVM errors land here). */
    public Path startupOutput() {
        return logDir().resolve("daemon" + suffix() + ".out");
    }

    public Path instanceDataDir() {
        return isDefault() ? dataDir : dataDir.resolve("instances").resolve(instance);
    }

    public Path pluginsDir() {
        return dataDir.resolve("plugins");
    }

    /**
     * Applies the path rule ({@link PathRule}) to the data folder and the daemon folder: created 0700, or
     * tightened if ours and loose, or refused with {@link PathRule.UnsafeFolderException}. Returns a note for
     * each folder tightened, for the daemon's log.
     */
    public List<String> createDaemonDir() throws IOException {
        List<String> notes = new ArrayList<>();
        ensure(dataDir(), notes);
        ensure(daemonDir(), notes);
        return notes;
    }

    /**
     * The client's side of {@link #createDaemonDir()}: creates the data and daemon folders if missing (0700) and
     * refuses them if they break the path rule, but leaves a folder of ours that is only too loose to the daemon,
     * which tightens it and says so in its log.
     */
    public void enterDaemonDir() throws IOException {
        PathRule.ensure(dataDir(), false);
        PathRule.ensure(daemonDir(), false);
    }

    /**
     * Applies the path rule to every folder the daemon keeps things in: the data folder, {@code daemon/},
     * {@code logs/}, {@code instances/} and {@code instances/NAME/} for a named instance, and
     * {@code libraries/}; and makes the log files the user's alone (0600). Returns a note for each folder or
     * file tightened (an existing data folder from before the rule: issue 18), for the daemon's log.
     */
    public List<String> prepareDataFolders() throws IOException {
        List<String> notes = createDaemonDir();
        ensure(logDir(), notes);
        if (!isDefault()) {
            ensure(dataDir.resolve("instances"), notes);
            ensure(instanceDataDir(), notes);
        }
        ensure(instanceDataDir().resolve("libraries"), notes);
        // logs/ has passed the rule: no one else can swap its entries, so these paths name what we judged; the
        // current log is created 0600 here, as the appender would create it with the umask's mode
        try {
            Files.createFile(logFile(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // judged below with the others
        }
        try (var files = Files.newDirectoryStream(logDir())) {
            for (Path f : files) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && FileTrust.ownerUid(f) == FileTrust.myUid()) {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS);
                    Set<PosixFilePermission> own = EnumSet.noneOf(PosixFilePermission.class);
                    perms.stream().filter(p -> p.name().startsWith("OWNER")).forEach(own::add);
                    if (!own.equals(perms)) {
                        Files.setPosixFilePermissions(f, own);
                        notes.add("tightened " + f + " from " + PosixFilePermissions.toString(perms) + " to "
                                + PosixFilePermissions.toString(own) + ": logs name paths, libraries and clients");
                    }
                }
            }
        }
        return notes;
    }

    private static void ensure(Path dir, List<String> notes) throws IOException {
        Set<PosixFilePermission> before = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                ? Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS) : null;
        if (PathRule.ensure(dir) == PathRule.Outcome.TIGHTENED) {
            notes.add("tightened " + dir + " from " + PosixFilePermissions.toString(before) + " to "
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS))
                    + " (a daemon's folders are its user's alone: docs/reliability.md, Security)");
        }
    }

    /** Makes {@code dir} a private folder under the path rule ({@link PathRule#ensure}). */
    public static void createPrivateDir(Path dir) throws IOException {
        PathRule.ensure(dir);
    }

    /**
     * Why the data folder cannot be used (not a folder, another user's, a link, not writable, read-only, ...),
     * with the fix, or null when it can (or can be created). Changes nothing: for commands that must not create
     * the folder ({@code status}, {@code ping}, {@code doctor}) but should say why it is unusable.
     */
    public PathRule.Refusal dataDirProblem() {
        PathRule.Refusal r = PathRule.inspect(dataDir);
        if (r == null && Files.exists(daemonDir(), LinkOption.NOFOLLOW_LINKS)) {
            r = PathRule.inspect(daemonDir());
        }
        return r;
    }

    /**
     * The path to bind and connect to. Normally the socket itself; when that is longer than the
     * kernel accepts, a path through a short private symlink to the daemon folder
     * ({@code /tmp/{app}-{user}/{hash}}), so the socket still lives in the data folder.
     *
     * <p>{@code /tmp} is shared: another user may have created {@code /tmp/{app}-{user}} first, to swap the
     * link for one of their own and receive the owner's clients. The folder is used only if it is a real
     * folder owned by this user (its mode is then tightened to 0700); otherwise {@code $XDG_RUNTIME_DIR/{app}}
     * (private to the user by definition) is used when that is set, and the choice is logged; failing both,
     * this refuses with a message naming the folder, its owner and the fix.
     */
    public Path connectPath() throws IOException {
        return connectPathVia(app.linkDir(), app.runtimeLinkDir(System.getenv()));
    }

    /** {@link #connectPath()} with the link folder and its fallback given (tests pass folders of their own). */
    public Path connectPathVia(Path linkDir, Path fallback) throws IOException {
        Path socket = socket();
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH_BYTES) {
            return socket;
        }
        Path base = linkDir;
        String why = privateFolder(linkDir);
        if (why != null) {
            String fallbackWhy = fallback == null ? "XDG_RUNTIME_DIR is not set" : privateFolder(fallback);
            if (fallbackWhy != null) {
                throw new IOException(linkDir + " cannot hold the short link to the socket: " + why + ". Another user "
                        + "may have created it to capture your daemon's clients; " + app.displayName() + " refuses to use it ("
                        + (fallback == null ? fallbackWhy : fallback + " is no alternative either: " + fallbackWhy)
                        + "). Remove " + linkDir + " (as root if need be), "
                        + "set XDG_RUNTIME_DIR, or choose a shorter --data-dir");
            }
            org.slf4j.LoggerFactory.getLogger(InstancePaths.class).warn("{} cannot hold the short link to the socket: "
                    + "{}; using {} instead (clients find it there as long as they see the same XDG_RUNTIME_DIR)",
                    linkDir, why, fallback);
            base = fallback;
        }
        enterDaemonDir();
        String hash = dev.cove.rpc.codec.TypeGraph.digest(daemonDir().toString()).substring(0, 12);
        Path link = base.resolve(hash);
        Path target = daemonDir();
        if (Files.isSymbolicLink(link)) {
            if (!Files.readSymbolicLink(link).equals(target)) {
                Files.delete(link);
                Files.createSymbolicLink(link, target);
            }
        } else {
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target);
        }
        return link.resolve(socket.getFileName());
    }

    /**
     * Makes {@code dir} (a folder in a place others can write to) this user's private folder under the path rule
     * ({@link PathRule#ensure}). Returns why it cannot be used, or null.
     */
    static String privateFolder(Path dir) throws IOException {
        try {
            PathRule.ensure(dir);
            return null;
        } catch (PathRule.UnsafeFolderException e) {
            return e.refusal().problem();
        }
    }
}
