package dev.cove.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whole-process figures of issue 20, as a user meets them, interleaved in one run so that every row sees the same
 * machine: each command that talks to a running daemon, run (a) as typed ({@code bin/cove ...}: the native client
 * when it was built) and (b) through the local JVM CLI ({@code COVE_NATIVE_DONE=1}); the commands that must work
 * with no daemon; {@code start}, {@code restart} and {@code shutdown} of a daemon; next to {@code java -version} of
 * the same JDK (the floor of any JVM command), Debian's {@code watchman version} (a native CLI to a local daemon) and
 * {@code plocate}. Then the daemon's memory with and without the CLI host, whether {@code cove daemon} becomes the
 * daemon, and a daemon's cold start with its idle memory.
 */
final class ProcessBench {
    private static final Pattern READY = Pattern.compile("ready on .* in (\\d+) ms");
    /**
     * What bin/cove sets in the daemon's environment for it to host the CLI (issue 20's design): a daemon started
     * with it taken out is the "without the CLI host" one. Change it here if the merged bin/cove passes it otherwise.
     */
    static final String CLI_HOST_ENV = "COVE_CLI_CLASSPATH";
    /** The CLI's settings folder for this run (a temporary one), so that the user's own stay as they are. */
    static Path configHome;
    /** The JDK the bench runs on: {@code java -version} is timed with it, and bin/cove is told to use it. */
    static String javaHome = System.getProperty("java.home");

    /** How a command is run: as typed (bin/cove picks the native client if there is one), or the JVM CLI forced. */
    enum Way { TYPED, JVM }

    /** One timed row: a command, the exit statuses it may end with, and its times (ms) per way. */
    static final class Row {
        final String name;
        final String group;
        final List<String> cmd;
        final Set<Integer> exits;
        final boolean bothWays;
        final Map<Way, long[]> times = new LinkedHashMap<>();

        Row(String group, String name, List<String> cmd, Set<Integer> exits, boolean bothWays, int runs) {
            this.group = group;
            this.name = name;
            this.cmd = cmd;
            this.exits = exits;
            this.bothWays = bothWays;
            times.put(Way.TYPED, new long[runs]);
            if (bothWays) {
                times.put(Way.JVM, new long[runs]);
            }
        }

        long median(Way w) {
            return pct(sorted(w), 50);
        }

        long[] sorted(Way w) {
            long[] t = times.get(w).clone();
            Arrays.sort(t);
            return t;
        }
    }

    /** Every data folder a daemon may have been started in, so that all of them are shut down at the end. */
    private static final List<Path> daemonFolders = new ArrayList<>();
    /** Processes started directly (not through bin/cove start), ended at the end if still alive. */
    private static final List<Process> spawned = new ArrayList<>();

    static void main(List<String> args) throws Exception {
        int runs = 20;
        int starts = 5;
        int warmup = 2;
        int hosted = 200;
        String word = "cli";
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--runs" -> runs = Integer.parseInt(args.get(++i));
                case "--starts" -> starts = Integer.parseInt(args.get(++i));
                case "--warmup" -> warmup = Integer.parseInt(args.get(++i));
                case "--hosted" -> hosted = Integer.parseInt(args.get(++i));
                case "--word" -> word = args.get(++i);
                default -> throw new IllegalArgumentException("unknown option " + args.get(i));
            }
        }
        Path root = Path.of(System.getProperty("cove.root", ".")).toAbsolutePath().normalize();
        String cove = root.resolve("bin/cove").toString();
        String java = Path.of(javaHome, "bin", "java").toString();
        Path dir = Files.createTempDirectory("cove-bench-process");
        configHome = Files.createDirectories(dir.resolve("config"));
        Watchman watchman = null;
        try {
            System.out.printf("process: whole-process wall times, JDK %s (%s), %d CPUs (load %s)%n", Runtime.version(),
                    javaHome, Runtime.getRuntime().availableProcessors(), SessionsBench.Load.now());
            run(List.of(cove, "--version"), 900); // builds, and prepares bin/cove's caches, if needed
            Path nativeClient = root.resolve(".cove-build/native/cove");
            boolean haveNative = Files.isExecutable(nativeClient);
            System.out.println("  native client: " + (haveNative ? "yes (" + nativeClient + ")"
                    : "no (" + root.relativize(nativeClient) + " missing: bin/cove runs the JVM CLI, so 'typed' is "
                    + "the JVM path too)"));

            watchman = Watchman.find(dir);
            Path docs = root.resolve("docs");
            Optional<Plocate> plocate = Plocate.find(dir, docs);

            // ---- the daemon the commands talk to, and its memory as it starts ----
            Path data = dir.resolve("main");
            String dd = data.toString();
            daemonFolders.add(data);
            run(List.of(cove, "--data-dir", dd, "start"), 120, Way.JVM);
            long daemonPid = lockPid(data);
            long rssStart = rssKiB(daemonPid);
            Map<String, String> daemonEnv = environ(daemonPid);
            boolean hostsCli = daemonEnv.containsKey(CLI_HOST_ENV);
            System.out.println("  daemon hosts the CLI: " + (hostsCli ? "yes (" + CLI_HOST_ENV + " in its environment)"
                    : "no (no " + CLI_HOST_ENV + " in its environment)"));
            run(List.of(cove, "--data-dir", dd, "status"), 60, Way.TYPED); // the first hosted command
            long rssFirst = rssKiB(daemonPid);
            run(List.of(cove, "--data-dir", dd, "library", "create", "bench"), 60, Way.JVM);
            run(List.of(cove, "--data-dir", dd, "location", "add", "--wait", docs.toString()), 120, Way.JVM);
            run(List.of(cove, "--data-dir", dd, "run", "--app", "bench", "--", "true"), 60, Way.JVM);
            Matcher sm = Pattern.compile("\"sessionId\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(output(List.of(cove, "--data-dir", dd, "sessions", "list", "--json"), Way.JVM));
            if (!sm.find()) {
                throw new IllegalStateException("no session in `cove sessions list --json` after `cove run`");
            }
            String session = sm.group(1);
            Path file = docs.resolve("benchmarks.md");

            // ---- the rows, in the order each round runs them ----
            Path empty = dir.resolve("no-daemon"); // a data folder where no daemon runs
            Path life = dir.resolve("life");       // a data folder whose daemon is started, restarted and stopped
            daemonFolders.add(life);
            List<Row> rows = new ArrayList<>();
            rows.add(new Row("baselines", "java -version", List.of(java, "-version"), Set.of(0), false, runs));
            if (watchman.available()) {
                rows.add(new Row("baselines", "watchman version", watchman.command("version"), Set.of(0), false, runs));
            }
            if (plocate.isPresent()) {
                rows.add(new Row("baselines", "plocate -i " + word, plocate.get().command(word), Set.of(0), false, runs));
            }
            String[][] daemonCommands = {
                    {"status"}, {"ping"}, {"search", word, "--all"}, {"ls", docs.toString()}, {"info", file.toString()},
                    {"library", "list"}, {"jobs", "list"}, {"sessions", "list"}, {"sessions", "show", session},
                    {"methods"}, {"call", "query:core.ping.v1"}};
            String[] daemonNames = {"status", "ping", "search " + word + " --all", "ls DIR", "info FILE",
                    "library list", "jobs list", "sessions list", "sessions show ID", "methods",
                    "call query:core.ping.v1"};
            for (int c = 0; c < daemonCommands.length; c++) {
                rows.add(new Row("daemon", daemonNames[c], cove(cove, dd, daemonCommands[c]), Set.of(0), true, runs));
            }
            String ed = empty.toString();
            rows.add(new Row("no-daemon", "--version", cove(cove, ed, "--version"), Set.of(0), false, runs));
            rows.add(new Row("no-daemon", "instances", cove(cove, ed, "instances"), Set.of(0), false, runs));
            rows.add(new Row("no-daemon", "completion", cove(cove, ed, "completion"), Set.of(0), false, runs));
            rows.add(new Row("no-daemon", "doctor", cove(cove, ed, "doctor"), Set.of(0, 1), false, runs));
            rows.add(new Row("no-daemon", "shutdown (no daemon)", cove(cove, ed, "shutdown"), Set.of(3), false, runs));
            String ld = life.toString();
            rows.add(new Row("lifecycle", "start (until it answers)", cove(cove, ld, "start"), Set.of(0), false, runs));
            rows.add(new Row("lifecycle", "restart", cove(cove, ld, "restart"), Set.of(0), false, runs));
            rows.add(new Row("lifecycle", "shutdown (daemon running)", cove(cove, ld, "shutdown"), Set.of(0), false,
                    runs));

            // ---- interleaved rounds: unmeasured warm-up ones, then the measured ones ----
            int typedToDaemon = 1;
            long rssHosted = -1;
            int rssHostedAfter = 0;
            for (int round = -warmup; round < runs; round++) {
                for (Row r : rows) {
                    for (Way w : r.times.keySet()) {
                        long ms = run(r.cmd, r.exits, 120, w);
                        if (round >= 0) {
                            r.times.get(w)[round] = ms;
                        }
                        if (r.group.equals("daemon") && w == Way.TYPED && ++typedToDaemon == hosted) {
                            rssHosted = rssKiB(daemonPid);
                            rssHostedAfter = typedToDaemon;
                        }
                    }
                }
            }
            while (typedToDaemon < hosted) { // too few rounds to get there: status until there
                run(List.of(cove, "--data-dir", dd, "status"), 60, Way.TYPED);
                if (++typedToDaemon == hosted) {
                    rssHosted = rssKiB(daemonPid);
                    rssHostedAfter = typedToDaemon;
                }
            }
            stopDaemon(cove, life);
            printTable(rows, runs, watchman);

            // ---- the daemon's memory: with the CLI host (as bin/cove starts it) and without ----
            long[] plain = rssWithoutCliHost(cove, daemonPid, dir.resolve("no-host"));
            stopDaemon(cove, data);
            System.out.printf("%n  daemon RSS (MiB, VmRSS)%n");
            String how = hostsCli && haveNative ? "hosted by it"
                    : hostsCli ? "not hosted: no native client, so the JVM CLI ran it"
                    : "not hosted: no CLI host, so the JVM CLI ran it";
            rssRow("started by bin/cove start (" + (hostsCli ? "with" : "without") + " the CLI host), once it answers",
                    rssStart);
            rssRow("  after its first typed command (" + how + ")", rssFirst);
            rssRow("  after " + rssHostedAfter + " typed commands (and the JVM-path ones interleaved)", rssHosted);
            if (plain != null) {
                rssRow("started as bin/cove does, without " + CLI_HOST_ENV + ", once it answers", plain[0]);
                rssRow("  after its first command (the JVM CLI)", plain[1]);
            }

            // ---- `cove daemon` as the Python client runs it: does the spawned process become the daemon? ----
            System.out.println();
            System.out.println("  " + checkDaemonExec(cove, dir.resolve("spawned")));

            // ---- a daemon's cold start in fresh data folders ----
            coldStart(cove, dir, starts, rows.getFirst().median(Way.TYPED));

            // ---- the targets ----
            printTargets(rows, watchman);
            System.out.printf("  (load at end %s)%n", SessionsBench.Load.now());
        } finally {
            for (Path d : daemonFolders) {
                try {
                    stopDaemon(cove, d);
                } catch (Exception e) {
                    System.err.println("bench: could not stop the daemon of " + d + ": " + e);
                }
            }
            for (Process p : spawned) {
                if (p.isAlive()) {
                    p.destroy();
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
            if (watchman != null) {
                watchman.stop();
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> cove(String cove, String dataDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of(cove, "--data-dir", dataDir));
        cmd.addAll(List.of(args));
        return cmd;
    }

    // ------------------------------------------------------------------ output

    private static void printTable(List<Row> rows, int runs, Watchman watchman) {
        long java = rows.getFirst().median(Way.TYPED);
        long wm = watchman.available() ? rows.get(1).median(Way.TYPED) : -1;
        System.out.printf("%n  %d runs each, interleaved (ms; iqr = p75 - p25; x = median / the baseline's median)%n",
                runs);
        String block = "%5s %5s %5s %5s %7s %7s";
        System.out.printf("  %-27s %-37s   %s%n", "", "typed: bin/cove ...", "JVM path: COVE_NATIVE_DONE=1 bin/cove ...");
        System.out.printf("  %-27s " + block + "   " + block + "%n", "command", "med", "min", "p90", "iqr", "x java",
                "x wm", "med", "min", "p90", "iqr", "x java", "x wm");
        String group = "";
        for (Row r : rows) {
            if (!r.group.equals(group)) {
                group = r.group;
                System.out.println("  " + switch (group) {
                    case "baselines" -> "baselines";
                    case "daemon" -> "commands to a running daemon";
                    case "no-daemon" -> "commands that work with no daemon (none running)";
                    default -> "a daemon's start, restart and stop (same data folder each round; a stopped daemon "
                            + "counts as gone once PID 1, " + pid1() + ", has reaped it)";
                });
            }
            StringBuilder line = new StringBuilder(String.format("    %-25s ", r.name));
            for (Way w : r.times.keySet()) {
                long[] s = r.sorted(w);
                long med = pct(s, 50);
                line.append(String.format("%5d %5d %5d %5d %6.2fx %7s", med, s[0], pct(s, 90), pct(s, 75) - pct(s, 25),
                        (double) med / java, wm <= 0 ? "n/a" : String.format("%6.1fx", (double) med / wm)));
                line.append("   ");
            }
            System.out.println(line.toString().stripTrailing());
        }
        if (!watchman.available()) {
            System.out.println("  x wm: n/a (" + watchman.why + ")");
        }
    }

    private static void printTargets(List<Row> rows, Watchman watchman) {
        long java = rows.getFirst().median(Way.TYPED);
        System.out.println();
        System.out.println("  issue 20's targets (medians of the typed commands, against java -version's " + java + " ms)");
        List<Row> daemon = rows.stream().filter(r -> r.group.equals("daemon")).toList();
        List<Row> local = rows.stream().filter(r -> r.group.equals("no-daemon")).toList();
        System.out.println("  daemon commands: median <= 0.5x java -version: " + verdict(daemon, java, 0.5));
        System.out.println("  no-daemon commands <= 2x java -version: " + verdict(local, java, 2.0));
        if (watchman.available()) {
            long wm = rows.get(1).median(Way.TYPED);
            System.out.println("  stretch: within 3x watchman version (" + wm + " ms): " + verdict(daemon, wm, 3.0)
                    .replace("x)", "x watchman)"));
        } else {
            System.out.println("  stretch: within 3x watchman version: n/a (" + watchman.why + ")");
        }
        Row start = rows.stream().filter(r -> r.name.startsWith("start")).findFirst().orElseThrow();
        Row restart = rows.stream().filter(r -> r.name.equals("restart")).findFirst().orElseThrow();
        System.out.printf("  `cove start` until the daemon answers: median %d ms (%.1fx java -version); `cove restart` "
                        + "%d ms (%.1fx); both include a daemon's JVM start, see the cold start above%n",
                start.median(Way.TYPED), (double) start.median(Way.TYPED) / java, restart.median(Way.TYPED),
                (double) restart.median(Way.TYPED) / java);
    }

    /** "PASS (worst: X at Y x)" or "FAIL (worst: ...; N of M over)" for the typed medians of rows against limit x base. */
    private static String verdict(List<Row> rows, long base, double limit) {
        Row worst = null;
        int over = 0;
        for (Row r : rows) {
            if (r.median(Way.TYPED) > limit * base) {
                over++;
            }
            if (worst == null || r.median(Way.TYPED) > worst.median(Way.TYPED)) {
                worst = r;
            }
        }
        if (worst == null) {
            return "n/a";
        }
        String w = String.format("worst: %s at %.2fx", worst.name, (double) worst.median(Way.TYPED) / base);
        return over == 0 ? "PASS (" + w + ")" : "FAIL (" + w + "; " + over + " of " + rows.size() + " over)";
    }

    // ------------------------------------------------------------------ daemons

    /**
     * The daemon as bin/cove starts it, without the CLI host: the command line and environment of the running
     * {@code model} daemon, with its data folder replaced and COVE_CLI_CLASSPATH taken out (what bin/cove sets for the
     * host). Returns its RSS once it answers and after one command (JVM path), or null when that cannot be done.
     */
    private static long[] rssWithoutCliHost(String cove, long model, Path data) throws Exception {
        List<String> cmd = cmdline(model);
        Map<String, String> env = environ(model);
        int at = cmd.indexOf("--data-dir");
        if (cmd.isEmpty() || at < 0 || at + 1 >= cmd.size() || !cmd.contains("dev.cove.daemon.DaemonMain")) {
            System.out.println("  (the daemon's command line is not `java ... DaemonMain --data-dir D`: no RSS without "
                    + "the CLI host)");
            return null;
        }
        cmd.set(at + 1, data.toString());
        env.remove(CLI_HOST_ENV);
        Files.createDirectories(data);
        daemonFolders.add(data);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(data.resolve("startup.out").toFile()).redirectInput(new File("/dev/null"));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        spawned.add(p);
        awaitReady(data, p, 60);
        long[] rss = {rssKiB(p.pid()), 0};
        run(List.of(cove, "--data-dir", data.toString(), "status"), 60, Way.JVM);
        rss[1] = rssKiB(p.pid());
        stopDaemon(cove, data);
        return rss;
    }

    /**
     * Spawns {@code bin/cove daemon} as the Python client does ({@code setsid --wait cove daemon --data-dir D
     * --instance NAME}, stdin from /dev/null, output to a file) and says whether the spawned process is the daemon.
     */
    private static String checkDaemonExec(String cove, Path data) throws Exception {
        Files.createDirectories(data.resolve("logs"));
        daemonFolders.add(data);
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.addAll(List.of("/usr/bin/setsid", "--wait"));
        }
        cmd.addAll(List.of(cove, "daemon", "--data-dir", data.toString(), "--instance", "default"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(data.resolve("logs/startup.out").toFile()).redirectInput(new File("/dev/null"));
        environment(pb, Way.TYPED);
        Process p = pb.start();
        spawned.add(p);
        awaitReady(data, p, 120);
        List<String> spawnedCmd = cmdline(p.pid());
        long daemon = lockPid(data);
        boolean is = spawnedCmd.contains("dev.cove.daemon.DaemonMain");
        String what = spawnedCmd.stream().filter(s -> s.startsWith("dev.cove.")).findFirst()
                .orElse(spawnedCmd.isEmpty() ? "?" : Path.of(spawnedCmd.getFirst()).getFileName().toString());
        String answer = is
                ? "yes (pid " + p.pid() + " runs DaemonMain" + (daemon == p.pid() ? ", and holds the daemon's lock)" : ")")
                : String.format("no (pid %d runs %s, %d MiB, beside the daemon, pid %d)", p.pid(), what,
                rssKiB(p.pid()) / 1024, daemon);
        stopDaemon(cove, data);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroy();
        }
        return "`cove daemon`, spawned as the Python client does, becomes the daemon: " + answer;
    }

    private static void coldStart(String cove, Path dir, int starts, long javaMedian) throws Exception {
        if (starts <= 0) {
            return;
        }
        long[] start = new long[starts];
        long[] ready = new long[starts];
        long[] processReady = new long[starts];
        long[] rss = new long[starts];
        long[] cliPart = new long[starts];
        for (int i = 0; i < starts; i++) {
            Path d = dir.resolve("cold-" + i);
            daemonFolders.add(d);
            long wallBefore = System.currentTimeMillis();
            long bootBefore = bootMillis();
            start[i] = run(List.of(cove, "--data-dir", d.toString(), "start"), 120);
            ready[i] = readyMillis(d.resolve("logs/daemon.log"));
            long pid = lockPid(d);
            processReady[i] = processToReadyMillis(pid, d.resolve("logs/daemon.log"), wallBefore, bootBefore);
            cliPart[i] = start[i] - processReady[i];
            Thread.sleep(3000); // idle memory is memory after start-up work settles; nothing to await
            rss[i] = rssKiB(pid);
            stopDaemon(cove, d);
        }
        for (long[] a : List.of(start, ready, processReady, cliPart, rss)) {
            Arrays.sort(a);
        }
        System.out.printf("%n  %-70s %6s %6s %6s%n", "daemon cold start, " + starts + " fresh data folders (ms)", "min",
                "median", "max");
        coldRow("JVM start to ready (the daemon's own log)", ready);
        coldRow("daemon process start to ready (its JVM start too)", processReady);
        coldRow("`cove start` until the daemon answers", start);
        coldRow("  of which not the daemon process (bin/cove, CLI, poll)", cliPart);
        coldRow("idle RSS 3 s after start (MiB)", new long[]{rss[0] / 1024, pct(rss, 50) / 1024, rss[starts - 1] / 1024});
        System.out.printf("  issue 7's targets: ready in under 500 ms; idle RSS under 100 MB. `cove start`'s own part: "
                + "%.2fx java -version%n", (double) pct(cliPart, 50) / javaMedian);
    }

    private static void rssRow(String name, long kib) {
        System.out.printf("  %-80s %6d%n", name, kib / 1024);
    }

    private static void coldRow(String name, long[] sorted) {
        System.out.printf("  %-70s %6d %6d %6d%n", name, sorted[0], pct(sorted, 50), sorted[sorted.length - 1]);
    }

    /** Waits until the daemon of {@code data} logs "ready on" (or {@code p} ends, or time runs out). */
    private static void awaitReady(Path data, Process p, int seconds) throws Exception {
        Path log = data.resolve("logs/daemon.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("ready on ")) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(String.join(" ", p.info().commandLine().orElse("the daemon"))
                        + " ended with " + p.exitValue() + " before it was ready");
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no daemon ready in " + data + " after " + seconds + " s");
    }

    /** Stops the daemon of {@code data} if one runs there: `cove shutdown`, then signals. */
    static void stopDaemon(String cove, Path data) throws Exception {
        long pid = lockPid(data);
        Optional<ProcessHandle> h = pid <= 0 ? Optional.empty() : ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive() || !cmdline(pid).contains("dev.cove.daemon.DaemonMain")) {
            return;
        }
        run(List.of(cove, "--data-dir", data.toString(), "shutdown"), Set.of(0, 3), 60, Way.JVM);
        if (h.get().isAlive()) {
            h.get().destroy();
            try {
                h.get().onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.get().destroyForcibly();
            }
        }
    }

    static long lockPid(Path data) {
        try {
            return Long.parseLong(Files.readString(data.resolve("daemon/daemon.lock")).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static List<String> cmdline(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
            return new ArrayList<>(s.isEmpty() ? List.of() : Arrays.asList(s.split("\0")));
        } catch (IOException e) {
            return new ArrayList<>();
        }
    }

    static Map<String, String> environ(long pid) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        String s = Files.readString(Path.of("/proc", Long.toString(pid), "environ"), StandardCharsets.UTF_8);
        for (String kv : s.split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return env;
    }

    // ------------------------------------------------------------------ baselines

    /** PID 1's name: it reaps a stopped daemon (the `cove start` that spawned it is gone), which `shutdown` awaits. */
    static String pid1() {
        try {
            return Files.readString(Path.of("/proc/1/comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            // not Linux: not root as far as this bench knows
        }
        return false;
    }

    /** The path of {@code name} on the PATH, if any. */
    static Optional<Path> which(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Installs a Debian package as root when {@code program} is missing; true if the program is there then. */
    static boolean ensure(String program, String pkg) {
        if (which(program).isPresent()) {
            return true;
        }
        if (!root() || which("apt-get").isEmpty()) {
            return false;
        }
        System.err.println("bench: installing Debian's " + pkg + " (apt-get install -y " + pkg + ")");
        for (List<String> cmd : List.of(List.of("apt-get", "install", "-y", "-q", pkg),
                List.of("apt-get", "update", "-q"), List.of("apt-get", "install", "-y", "-q", pkg))) {
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(
                        ProcessBuilder.Redirect.DISCARD);
                pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
                Process p = pb.start();
                if (!p.waitFor(600, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (Exception e) {
                return false;
            }
            if (which(program).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Debian's watchman with a server of its own (socket, state and log in the bench's folder), stopped at the end. */
    static final class Watchman {
        final List<String> base;
        final String why;

        private Watchman(List<String> base, String why) {
            this.base = base;
            this.why = why;
        }

        static Watchman find(Path dir) {
            if (!ensure("watchman", "watchman")) {
                return new Watchman(null, "install Debian's watchman");
            }
            try {
                Path w = Files.createDirectories(dir.resolve("watchman"));
                List<String> base = List.of(which("watchman").orElseThrow().toString(),
                        "--sockname=" + w.resolve("sock"), "--statefile=" + w.resolve("state"),
                        "--logfile=" + w.resolve("log"), "--pidfile=" + w.resolve("pid"));
                Watchman wm = new Watchman(base, null);
                run(wm.command("version"), 60); // starts its server
                return wm;
            } catch (Exception e) {
                return new Watchman(null, "watchman failed: " + e.getMessage() + "; install Debian's watchman");
            }
        }

        boolean available() {
            return base != null;
        }

        List<String> command(String... args) {
            List<String> cmd = new ArrayList<>(base);
            cmd.addAll(List.of(args));
            return cmd;
        }

        void stop() {
            if (base != null) {
                try {
                    run(command("shutdown-server"), Set.of(0, 1), 30, Way.TYPED);
                } catch (Exception e) {
                    System.err.println("bench: could not stop the bench's watchman server: " + e);
                }
            }
        }
    }

    /** plocate over a database of only {@code folder} (the folder the daemon indexes). */
    record Plocate(String plocate, Path db) {
        static Optional<Plocate> find(Path dir, Path folder) {
            if (!ensure("plocate", "plocate") || which("updatedb.plocate").isEmpty()) {
                System.out.println("  plocate: n/a (install Debian's plocate)");
                return Optional.empty();
            }
            try {
                Path db = dir.resolve("plocate.db");
                run(List.of(which("updatedb.plocate").get().toString(), "-U", folder.toString(), "-o", db.toString(),
                        "-l", "0"), 120);
                return Optional.of(new Plocate(which("plocate").get().toString(), db));
            } catch (Exception e) {
                System.out.println("  plocate: n/a (" + e.getMessage() + ")");
                return Optional.empty();
            }
        }

        List<String> command(String word) {
            return List.of(plocate, "-d", db.toString(), "-i", word);
        }
    }

    // ------------------------------------------------------------------ running and measuring

    static long pct(long[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)];
    }

    /** The environment of a command run by the bench: its own settings folder, this JDK, and the way asked for. */
    static void environment(ProcessBuilder pb, Way way) {
        Map<String, String> env = pb.environment();
        if (configHome != null) {
            env.put("XDG_CONFIG_HOME", configHome.toString()); // the CLI's default library goes there
        }
        env.put("JAVA_HOME", javaHome); // bin/cove runs the JDK java -version is timed with
        if (way == Way.JVM) {
            env.put("COVE_NATIVE_DONE", "1"); // bin/cove runs the local JVM CLI, not the native client
        } else {
            env.remove("COVE_NATIVE_DONE");
        }
    }

    /** Runs a command to its end and returns its wall time in ms; fails on a non-zero exit. */
    static long run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        return run(cmd, Set.of(0), timeoutSeconds, Way.TYPED);
    }

    static long run(List<String> cmd, int timeoutSeconds, Way way) throws IOException, InterruptedException {
        return run(cmd, Set.of(0), timeoutSeconds, way);
    }

    /** Runs a command to its end and returns its wall time in ms; fails on an exit status not in {@code exits}. */
    static long run(List<String> cmd, Set<Integer> exits, int timeoutSeconds, Way way)
            throws IOException, InterruptedException {
        File err = File.createTempFile("cove-bench", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err).redirectInput(new File("/dev/null"));
            environment(pb, way);
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (!exits.contains(p.exitValue())) {
                throw new IllegalStateException(String.join(" ", cmd) + " (" + way + ") exited with " + p.exitValue()
                        + ":\n" + Files.readString(err.toPath()));
            }
            return ms;
        } finally {
            err.delete();
        }
    }

    /** A command's standard output (it must exit with 0). */
    static String output(List<String> cmd, Way way) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(new File("/dev/null"));
        environment(pb, way);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue());
        }
        return out;
    }

    static long readyMillis(Path log) throws IOException {
        Matcher m = READY.matcher(Files.readString(log));
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    /**
     * From the daemon process's start to its "ready" log line: its JVM's start-up, which its own "ready in N ms"
     * (timed from its main) leaves out, and that. The kernel gives a process's start in clock ticks since boot
     * (/proc/PID/stat, 10 ms steps); {@code wallBefore} and {@code bootBefore} (/proc/uptime) were read together
     * just before `cove start`, which ties that to the log's wall-clock time.
     */
    static long processToReadyMillis(long pid, Path log, long wallBefore, long bootBefore) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long startedBootMillis = Long.parseLong(f[19]) * 10; // field 22, starttime, in ticks of 1/100 s
        long startedWall = wallBefore + (startedBootMillis - bootBefore);
        Matcher m = Pattern.compile("(?m)^(\\S+) .*ready on ").matcher(Files.readString(log));
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last == null ? -1 : java.time.Instant.parse(last).toEpochMilli() - startedWall;
    }

    /** Milliseconds since boot, from /proc/uptime (10 ms steps). */
    static long bootMillis() throws IOException {
        String up = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
        return Math.round(Double.parseDouble(up) * 1000);
    }

    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
