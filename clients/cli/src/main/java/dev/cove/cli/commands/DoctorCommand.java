package dev.cove.cli.commands;

import dev.cove.api.Plural;
import dev.cove.api.Cove;
import dev.cove.api.core.Ping;
import dev.cove.api.upstream.GetUpstreamStatus;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.cli.CoveCli;
import dev.cove.cli.RunsLocally;
import dev.cove.cli.commands.upstream.UpstreamStatusCommand;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.cli.LockHolder;
import dev.cove.cli.Supervision;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.ServerHello;
import dev.cove.rpc.codec.TypeGraph;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.PathRule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code cove doctor}: looks at an instance from the outside (files, processes, one connection) and says
 * what is wrong and how to fix it. It never starts a daemon and changes nothing: every fix is a command
 * for the user to run.
 */
@RunsLocally
@Command(name = "doctor", description = {
        "Check an instance: socket, lock, permissions, stale files, versions, socket path, disk space, watch limits and "
                + "supervisor, each with a fix; then the end of the log.",
        "Never starts a daemon. Exits with status 0 when all is well, 1 when something needs attention."})
public final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
            description = "Log lines to show (default: ${DEFAULT-VALUE}; 0 for none).")
    int lines;

    /** How a check came out. WARN and FAIL make the exit status 1. */
    public enum Status { OK, INFO, WARN, FAIL }

    /** One check's outcome; {@code fix} is a command to run (or what to do) when it is not OK. */
    public record Finding(String check, Status status, String message, @Nullable String fix) {
        static Finding ok(String check, String message) {
            return new Finding(check, Status.OK, message, null);
        }
    }

    /** Unix sockets take 108 bytes on Linux and 104 on macOS with the NUL; InstancePaths keeps to this. */
    private static final int MAX_SOCKET_PATH_BYTES = 100;
    private static final long MIN_FREE_BYTES = 1L << 30;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final List<Finding> findings = new ArrayList<>();
    private InstancePaths paths;
    private String user;

    @Override
    public Integer call() {
        paths = cove.paths();
        user = System.getProperty("user.name");
        checkFolder("data-dir", "data folder", paths.dataDir(), false);
        checkFolder("daemon-dir", "daemon folder", paths.daemonDir(), true);
        Holder lock = checkLock();
        checkSocketPath();
        checkSocketAndDaemon(lock);
        checkSupervisor();
        checkDisk();
        checkStaleFiles();
        List<String> tail = logTail(paths.logFile(), lines);
        boolean healthy = findings.stream().noneMatch(f -> f.status() == Status.WARN || f.status() == Status.FAIL);
        if (cove.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", paths.instance());
            m.put("dataDir", paths.dataDir().toString());
            m.put("healthy", healthy);
            m.put("checks", findings);
            m.put("logFile", paths.logFile().toString());
            m.put("logTail", tail);
            cove.printJson(m);
        } else {
            print(tail, healthy);
        }
        return healthy ? ExitCodes.OK : ExitCodes.ERROR;
    }

    private void print(List<String> tail, boolean healthy) {
        PrintWriter out = cove.out();
        out.printf("Cove doctor: instance '%s', data folder %s, cove %s%n", paths.instance(), paths.dataDir(), Cove.VERSION);
        for (Finding f : findings) {
            out.printf("  %-4s  %-13s %s%n", f.status() == Status.OK ? "ok" : f.status().name().toLowerCase(Locale.ROOT)
                    .replace("fail", "FAIL").replace("warn", "WARN"), f.check(), f.message());
            if (f.fix() != null) {
                out.printf("        %-13s fix: %s%n", "", f.fix());
            }
        }
        if (!tail.isEmpty()) {
            out.printf("%nLast %d lines of %s:%n", tail.size(), paths.logFile());
            tail.forEach(l -> out.println("  " + l));
        }
        long problems = findings.stream().filter(f -> f.status() == Status.WARN || f.status() == Status.FAIL).count();
        out.println();
        out.println(healthy ? "Everything looks healthy." : problems + (problems == 1 ? " problem" : " problems")
                + " found; run the fixes above, then `" + cove.command("doctor") + "` again.");
    }

    private void add(String check, Status status, String message, String fix) {
        findings.add(new Finding(check, status, message, fix));
    }

    // ---- folders and permissions ----

    private void checkFolder(String check, String what, Path dir, boolean mustBePrivate) {
        // the path rule every command applies (PathRule, docs/reliability.md "Security"): its verdict, its fix
        PathRule.Refusal refused = PathRule.inspect(dir);
        if (refused != null) {
            add(check, Status.FAIL, what + ": " + refused.problem(), refused.fix());
            return;
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
            add(check, Status.INFO, what + " " + dir + " does not exist yet (the first daemon creates it)", null);
            return;
        }
        try {
            String owner = Files.getOwner(dir).getName();
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            String mode = PosixFilePermissions.toString(perms);
            if (!Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE).equals(perms)) {
                String why = mustBePrivate ? "it holds the socket, which must be yours alone"
                        : "other users can read your library index, sessions and logs";
                add(check, mustBePrivate ? Status.FAIL : Status.WARN, what + " " + dir + " has mode " + mode
                        + " (" + octal(perms) + "), not rwx------ (700): " + why + " (the next daemon start tightens it)",
                        "chmod 700 " + dir);
            } else {
                findings.add(Finding.ok(check, dir + " (700, owner " + owner + ")"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            add(check, Status.WARN, "cannot read the owner and mode of " + dir + ": " + e.getMessage(), "ls -ld " + dir);
        }
    }

    private static String octal(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return String.format("%03o", m);
    }

    // ---- lock ----

    /** Who holds the instance lock: the pid in the file, and whether the kernel says that process holds it. */
    private record Holder(OptionalLong filePid, boolean filePidAlive, @Nullable Long kernelHolder, boolean kernelKnown) {
        boolean held() {
            return kernelKnown ? kernelHolder != null : filePidAlive;
        }

        long pid() {
            return kernelHolder != null ? kernelHolder : filePid.orElse(-1);
        }
    }

    private Holder checkLock() {
        Path file = paths.lockFile();
        OptionalLong pid = InstanceLock.readPid(file);
        boolean alive = pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
        if (!Files.exists(file)) {
            add("lock", Status.OK, "no lock file yet (" + file + "): no daemon has run here", null);
            return new Holder(pid, false, null, false);
        }
        Optional<Long> kernel = LockHolder.of(file);
        boolean known = kernel != null;
        Long holder = known ? kernel.orElse(null) : null;
        Holder h = new Holder(pid, alive, holder, known);
        if (known && holder != null) {
            add("lock", Status.OK, "held by pid " + holder + (pid.isPresent() && pid.getAsLong() != holder
                    ? " (the file names pid " + pid.getAsLong() + ")" : ""), null);
        } else if (known) {
            add("lock", Status.OK, "free: no process holds " + file.getFileName() + (pid.isPresent()
                    ? " (pid " + pid.getAsLong() + " in it, the last holder, " + (alive ? "still alive but no longer holding it"
                    : "is gone") + ")" : ""), null);
        } else {
            add("lock", Status.OK, pid.isPresent() ? "pid " + pid.getAsLong() + " in " + file.getFileName()
                    + (alive ? " is alive" : " is gone: the lock is free") : "no pid in " + file, null);
        }
        return h;
    }

    // ---- socket path length ----

    private void checkSocketPath() {
        Path socket = paths.socket();
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes <= MAX_SOCKET_PATH_BYTES) {
            findings.add(Finding.ok("socket-path", bytes + " bytes (the limit is " + MAX_SOCKET_PATH_BYTES + ")"));
            return;
        }
        // the daemon binds through /tmp/cove-$USER/<hash> -> its daemon folder (see InstancePaths.connectPath)
        Path base = Path.of("/tmp", "cove-" + user);
        Path link = base.resolve(TypeGraph.digest(paths.daemonDir().toString()).substring(0, 12));
        String what = bytes + " bytes, over the " + MAX_SOCKET_PATH_BYTES + "-byte limit, so the daemon binds via " + link;
        try {
            if (Files.isSymbolicLink(base)) {
                add("socket-path", Status.FAIL, what + ", but " + base + " is a symlink, which Cove refuses",
                        "rm " + base + " && " + cove.command("restart") + " (or choose a shorter --data-dir)");
            } else if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                add("socket-path", Status.INFO, what + "; the link does not exist yet (the daemon creates it)", null);
            } else if (!Files.isSymbolicLink(link) || !Files.readSymbolicLink(link).equals(paths.daemonDir())) {
                add("socket-path", Status.FAIL, what + ", but " + link + " does not point to " + paths.daemonDir(),
                        "rm " + link + " && " + cove.command("restart"));
            } else if (!Files.getOwner(base, LinkOption.NOFOLLOW_LINKS).getName().equals(user)) {
                add("socket-path", Status.FAIL, what + ", but " + base + " belongs to "
                        + Files.getOwner(base, LinkOption.NOFOLLOW_LINKS).getName(), "choose a shorter --data-dir");
            } else {
                findings.add(Finding.ok("socket-path", what + " (link in place)"));
            }
        } catch (IOException e) {
            add("socket-path", Status.WARN, what + "; cannot inspect it: " + e.getMessage(), "ls -l " + base);
        }
    }

    // ---- socket, daemon, version ----

    private void checkSocketAndDaemon(Holder lock) {
        Path socket = paths.socket();
        String start = cove.command("start");
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (lock.held()) {
                add("daemon", Status.WARN, "pid " + lock.pid() + " holds the lock but there is no socket at " + socket
                        + ": the daemon is starting, or lost its socket", "wait a few seconds and run `"
                        + cove.command("doctor") + "` again; if it stays so: kill " + lock.pid() + " && " + start);
            } else {
                add("daemon", Status.WARN, "no Cove daemon is running (no socket at " + socket + ")", start);
            }
            return;
        }
        try {
            int mode = ((Number) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
            String owner = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS).getName();
            if ((mode & S_IFMT) != S_IFSOCK) {
                add("socket", Status.FAIL, socket + " is not a socket (mode " + Integer.toOctalString(mode) + ")",
                        (lock.held() ? "kill " + lock.pid() + "; " : "") + "rm " + socket + " && " + start);
                return;
            } else if (!owner.equals(user)) {
                add("socket", Status.FAIL, socket + " belongs to " + owner + ", not to " + user,
                        "stop that daemon, then rm " + socket + " && " + start);
            } else if ((mode & 0777) != 0600) {
                add("socket", Status.FAIL, socket + " has mode " + String.format("%03o", mode & 0777) + ", not 600",
                        "chmod 600 " + socket);
            } else {
                findings.add(Finding.ok("socket", socket + " (socket, 600, owner " + owner + ")"));
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            add("socket", Status.WARN, "cannot read the mode of " + socket + ": " + e.getMessage(), "ls -l " + socket);
        }
        connect(lock, socket);
    }

    private void connect(Holder lock, Path socket) {
        String start = cove.command("start");
        try (CoreClient client = cove.clientBuilder().timeout(Duration.ofSeconds(5)).connectRetry(Duration.ofMillis(300))
                .build()) {
            long t0 = System.nanoTime();
            ServerHello hello = client.connect();
            client.call(new Ping());
            long micros = (System.nanoTime() - t0) / 1000;
            findings.add(Finding.ok("daemon", "pid " + hello.pid() + " answers on the socket (connect and ping "
                    + String.format(Locale.ROOT, "%.1f", micros / 1000.0) + " ms)"));
            checkWatches(client);
            if (hello.version().equals(Cove.VERSION)) {
                findings.add(Finding.ok("version", "daemon and cove are both " + Cove.VERSION + " (protocol "
                        + hello.protocol() + ")"));
            } else {
                add("version", Status.WARN, "the daemon runs Cove " + hello.version() + ", this cove is "
                        + Cove.VERSION, cove.command("restart") + " (starts the daemon of this cove's build)");
            }
            checkUpstream(client);
        } catch (RpcException e) {
            Object reason = e.details().get("reason");
            if (e.code() == ErrorCode.UNSUPPORTED_VERSION) {
                add("version", Status.FAIL, e.getMessage(), cove.command("restart")
                        + " (starts the daemon of this cove's build)");
            } else if (e.code() == ErrorCode.TIMEOUT) {
                add("daemon", Status.FAIL, "the daemon (pid " + lock.pid() + ") accepted a connection but did not answer "
                        + "within 5 s: stuck or overloaded", "look at `" + cove.command("logs") + "`; then kill "
                        + lock.pid() + " && " + start);
            } else if (!lock.held()) {
                add("daemon", Status.FAIL, "stale socket: " + socket + " is left by a daemon that is gone"
                        + (lock.filePid().isPresent() ? " (pid " + lock.filePid().getAsLong() + ")" : "")
                        + "; nothing answers (" + (reason == null ? e.code() : reason) + ")", start
                        + " (the new daemon replaces the stale socket), or rm " + socket);
            } else {
                add("daemon", Status.FAIL, "pid " + lock.pid() + " holds the lock but does not answer on " + socket
                        + ": " + e.getMessage(), "look at `" + cove.command("logs") + "`; then kill " + lock.pid()
                        + " && " + start);
            }
        }
    }

    // ---- watch limits ----

    /**
     * Locations the daemon watches only in part, as the inotify watch limit ({@code fs.inotify.max_user_watches})
     * was reached: the fix is the sysctl, raised by the folders left over (rounded up to a multiple of 65,536).
     */
    private void checkWatches(CoreClient client) {
        long unwatched = 0;
        List<String> where = new ArrayList<>();
        try {
            for (dev.cove.api.libraries.LibraryInfo lib : client.call(new dev.cove.api.libraries.ListLibraries()).libraries()) {
                for (dev.cove.api.locations.LocationInfo l : client.call(new dev.cove.api.locations.ListLocations(lib.id())).locations()) {
                    if (l.partlyIndexed()) {
                        // (the fix names the location by id: `location rescan` takes the library from --library)
                        add("index", Status.WARN, l.path() + " in library " + lib.name() + " is partly indexed ("
                                + Plural.of(l.entries(), "entry", "entries") + "): its last scan did not finish",
                                "`" + cove.command("location rescan --library " + lib.id() + " " + l.id())
                                        + "` completes it, or `" + cove.command("location remove --library " + lib.id()
                                        + " " + l.id()) + "` removes it");
                    }
                    if (l.watching() && l.unwatchedFolders() > 0) {
                        unwatched += l.unwatchedFolders();
                        where.add(l.path() + " in " + lib.name() + " (" + Plural.of(l.unwatchedFolders(), "folder") + " unwatched)");
                    }
                }
            }
        } catch (RpcException e) {
            add("watches", Status.WARN, "cannot list the locations: " + e.getMessage(), "look at `" + cove.command("logs") + "`");
            return;
        }
        if (unwatched == 0) {
            findings.add(Finding.ok("watches", "every folder of every location is watched"));
            return;
        }
        long max = -1;
        try {
            max = Long.parseLong(Files.readString(Path.of("/proc/sys/fs/inotify/max_user_watches")).trim());
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the message below names the sysctl without a value
        }
        long want = max < 0 ? -1 : (max + unwatched + 65_535) / 65_536 * 65_536;
        add("watches", Status.WARN, "partly watched: " + String.join("; ", where) + ". The inotify watch limit"
                        + (max < 0 ? "" : " (fs.inotify.max_user_watches = " + max + ")") + " is reached; those folders "
                        + "are kept fresh only by periodic rescans",
                want < 0 ? "raise fs.inotify.max_user_watches by at least " + unwatched
                        : "sudo sysctl fs.inotify.max_user_watches=" + want + " && echo fs.inotify.max_user_watches=" + want
                        + " | sudo tee /etc/sysctl.d/90-cove-inotify.conf, then `" + cove.command("location rescan ID") + "`");
    }

    /** Forwarding to OpenTelemetry: off, caught up, failing (with its cause) or dropping records. */
    private void checkUpstream(CoreClient client) {
        UpstreamStatus u;
        try {
            u = client.call(new GetUpstreamStatus());
        } catch (RpcException e) {
            return; // an older daemon: the version check already says so
        }
        String status = cove.command("upstream status");
        if (UpstreamStatus.OFF.equals(u.state())) {
            findings.add(new Finding("upstream", Status.INFO, "off (no OTEL_EXPORTER_OTLP_ENDPOINT)", null));
        } else if (UpstreamStatus.FAILING.equals(u.state())) {
            add("upstream", Status.WARN, "forwarding to " + u.endpoint() + " fails: " + u.lastError() + "; "
                    + UpstreamStatusCommand.backlog(u) + " waiting to be sent", "check that the endpoint answers and the "
                    + "OTEL_EXPORTER_OTLP_HEADERS it needs; `" + status + "` shows the last error");
        } else if (u.droppedRecords() > 0) {
            // kept in sessions.db for good, so shown but not counted as a problem now
            findings.add(new Finding("upstream", Status.INFO, u.state() + " to " + u.endpoint() + "; "
                    + u.droppedRecords() + " records were dropped past the backlog bound at some time (" + u.maxRecords()
                    + " records)", "raise cove.upstream.backlog.max.records if outages last longer; `" + status + "`"));
        } else {
            findings.add(Finding.ok("upstream", u.state() + " to " + u.endpoint() + ", backlog "
                    + UpstreamStatusCommand.backlog(u)));
        }
    }

    // ---- supervisor ----

    private void checkSupervisor() {
        Optional<Supervision> s = Supervision.of(paths);
        if (s.isPresent()) {
            findings.add(Finding.ok("supervisor", "running: " + s.get().describe()));
            return;
        }
        List<String> log = logTail(paths.supervisorLogFile(), 3);
        String last = log.isEmpty() ? "" : log.get(log.size() - 1);
        if (last.contains("Giving up")) {
            add("supervisor", Status.WARN, "the last supervisor gave up: " + last.replaceFirst("^.*? - ", ""),
                    "fix the cause (see " + paths.logFile() + " and " + paths.startupOutput() + "), then "
                            + cove.command("start --supervise"));
        } else {
            add("supervisor", Status.INFO, "none (`" + cove.command("start --supervise")
                    + "` restarts a crashed daemon; `" + cove.command("service install") + "` uses systemd)", null);
        }
    }

    // ---- disk ----

    private void checkDisk() {
        Path p = paths.dataDir();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return;
        }
        try {
            FileStore store = Files.getFileStore(p);
            long free = store.getUsableSpace();
            long total = store.getTotalSpace();
            double percent = total > 0 ? 100.0 * free / total : 100;
            String what = Format.bytes(free) + " free of " + Format.bytes(total) + String.format(Locale.ROOT, " (%.0f%%)",
                    percent) + " on " + store + " (" + p + ")";
            if (free < MIN_FREE_BYTES || percent < 5) {
                add("disk", Status.WARN, what + ": below 1 GiB or 5%; indexes, job copies and logs may fail",
                        "free space on that file system (`" + cove.command("duplicates --min-size 10M")
                                + "` finds big duplicates; empty the trash), or move the data folder with --data-dir");
            } else {
                findings.add(Finding.ok("disk", what));
            }
        } catch (IOException e) {
            add("disk", Status.WARN, "cannot read the free space of " + p + ": " + e.getMessage(), "df -h " + p);
        }
    }

    // ---- stale files ----

    /** Half-written files (*.tmp) that a crash left: the daemon's folder, data folders and the CLI's settings. */
    private void checkStaleFiles() {
        List<Path> dirs = new ArrayList<>(List.of(paths.daemonDir(), paths.dataDir(), paths.instanceDataDir()));
        String xdg = cove.env().get("XDG_CONFIG_HOME");
        dirs.add((xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(cove.env().getOrDefault("HOME",
                System.getProperty("user.home")), ".config")).resolve("cove"));
        List<Path> stale = new ArrayList<>();
        long cutoff = System.currentTimeMillis() - 60_000; // younger ones may be being written right now
        for (Path dir : dirs.stream().distinct().toList()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(f -> f.getFileName().toString().endsWith(".tmp")).filter(f -> {
                    try {
                        return Files.getLastModifiedTime(f).toMillis() < cutoff;
                    } catch (IOException e) {
                        return false;
                    }
                }).forEach(stale::add);
            } catch (IOException ignored) {
                // unreadable folders are reported by the folder checks
            }
        }
        if (stale.isEmpty()) {
            findings.add(Finding.ok("stale-files", "no leftover temporary files"));
        } else {
            add("stale-files", Status.WARN, stale.size() + " leftover temporary file(s): " + stale,
                    "rm " + String.join(" ", stale.stream().map(Path::toString).toList()));
        }
    }

    // ---- log ----

    /** The last {@code n} lines of a file, reading only its end. */
    static List<String> logTail(Path file, int n) {
        if (n <= 0 || !Files.isRegularFile(file)) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - 64 * 1024);
            byte[] buf = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(buf);
            List<String> all = new ArrayList<>(List.of(new String(buf, StandardCharsets.UTF_8).split("\n")));
            if (from > 0 && !all.isEmpty()) {
                all.remove(0); // a partial first line
            }
            all.removeIf(String::isBlank);
            return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }
}
