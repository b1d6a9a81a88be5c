package dev.cove.tests.cli;

import dev.cove.cli.CoveCli;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.InstanceScanner;
import dev.cove.rpc.instance.InstanceStatus;
import dev.cove.tests.support.Daemons;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs the {@code cove} CLI against one data folder, in-process (picocli with captured output) or as a
 * real process, with the environment bin/cove would give it. Daemons it starts are real processes;
 * {@link #killDaemons} ends every one found under the data folder.
 */
final class Cli {
    /** What one run of the CLI did. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private static final AtomicInteger RUNS = new AtomicInteger();
    private final Path dataDir;
    private final Map<String, String> env;

    /** A CLI on {@code tmp/data} whose own settings file (the default library) is under {@code tmp} too. */
    static Cli under(Path tmp) {
        return new Cli(tmp.resolve("data")).withEnv("XDG_CONFIG_HOME", tmp.resolve("xdg-config").toString());
    }

    Cli(Path dataDir) {
        this(dataDir, Map.of());
    }

    private Cli(Path dataDir, Map<String, String> extraEnv) {
        this.dataDir = dataDir;
        Map<String, String> e = new HashMap<>();
        e.put("COVE_JAVA", java());
        e.put("COVE_JAVA_OPTS", String.join(" ", jvmFlags()));
        e.put("COVE_DAEMON_CLASSPATH", classpath(true));
        e.putAll(extraEnv);
        this.env = Map.copyOf(e);
    }

    /** Where {@link #spawn} puts the CLI's output files: beside the data folder unless set (a data folder in /proc). */
    private Path outputDir;

    /** Puts the output files of processes in {@code dir} (for a data folder whose parent cannot hold them). */
    Cli outputIn(Path dir) {
        this.outputDir = dir;
        return this;
    }

    /** The same CLI with more (or overridden) environment variables. */
    Cli withEnv(String key, String value) {
        Map<String, String> e = new HashMap<>(env);
        e.put(key, value);
        return new Cli(dataDir, e);
    }

    Path dataDir() {
        return dataDir;
    }

    /** The environment the CLI runs with. */
    Map<String, String> env() {
        return env;
    }

    InstancePaths paths(String instance) {
        return new InstancePaths(dataDir, instance);
    }

    /** Runs {@code cove --data-dir DIR args...} in this JVM. */
    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = CoveCli.commandLine(env);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(withDataDir(args));
        return new Result(exit, out.toString(), err.toString());
    }

    /** Runs {@code cove --data-dir DIR args...} in this JVM, writing its output to {@code out} as it comes. */
    int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cmd = CoveCli.commandLine(env);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(withDataDir(args));
    }

    /** Runs {@code java -cp <cli class path> dev.cove.cli.CoveCli --data-dir DIR args...} (what bin/cove runs) and waits for it. */
    Result runProcess(String... args) {
        return runProcess(List.of(), args);
    }

    /** {@link #runProcess(String...)} behind {@code prefix}, a command that ends by running the CLI (e.g. unshare). */
    Result runProcess(List<String> prefix, String... args) {
        Process p = spawn(prefix, args);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("cove " + String.join(" ", args) + " did not finish within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(outFile(p)), Files.readString(errFile(p)));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw new AssertionError("interrupted", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a CLI process run by {@link #runRaw} did: stdout as bytes. */
    record RawResult(int exit, byte[] out, String err) {
        String text() {
            return new String(out, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + text() + "--- stderr ---\n" + err;
        }
    }

    /**
     * Runs {@code cove --data-dir DIR args...} as a process whose arguments are bytes: a name that is not UTF-8
     * cannot pass through ProcessBuilder's strings, so the whole command line goes NUL-separated into a file that
     * {@code xargs -0} runs; with {@code pty}, inside {@code script(1)}, so that stdout is a terminal.
     */
    RawResult runRaw(boolean pty, List<byte[]> args) {
        List<byte[]> items = new ArrayList<>();
        List<String> head = new ArrayList<>();
        head.add(java());
        head.addAll(jvmFlags());
        head.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath(false), "dev.cove.cli.CoveCli",
                "--data-dir", dataDir.toString()));
        head.forEach(h -> items.add(h.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        items.addAll(args);
        int n = RUNS.incrementAndGet();
        Path argFile = dataDir.resolveSibling("cli-" + n + ".args");
        Path out = dataDir.resolveSibling("cli-" + n + ".out");
        Path err = dataDir.resolveSibling("cli-" + n + ".err");
        try {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            for (byte[] item : items) {
                b.write(item);
                b.write(0);
            }
            Files.write(argFile, b.toByteArray());
            String xargs = "xargs -0 -x -s 1000000 -a " + argFile + " env"; // env: the file starts with the program
            List<String> cmd = pty ? List.of("script", "-qec", xargs, "/dev/null") : List.of("/bin/sh", "-c", "exec " + xargs);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("COVE_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("cove " + args.size() + " raw arguments did not finish within 60 s");
            }
            return new RawResult(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final Map<Long, Path[]> outputs = new java.util.concurrent.ConcurrentHashMap<>();

    /** Starts the CLI as a process without waiting; its output goes to files read by {@link #output}. */
    Process spawn(String... args) {
        return spawn(List.of(), args);
    }

    /**
     * Like {@link #spawn(String...)}, but with Ctrl-C (SIGINT) handled as in a terminal. A process started in
     * the background by a non-interactive shell (as CI runners and `cmd &` do) inherits SIGINT as ignored, and
     * the JVM then leaves it ignored; {@code env --default-signal=INT} restores the default for the CLI.
     */
    Process spawnWithCtrlC(String... args) {
        return spawn(List.of("/usr/bin/env", "--default-signal=INT"), args);
    }

    /** Whether {@link #spawnWithCtrlC} can give its process the default SIGINT disposition. */
    static boolean canRestoreCtrlC() {
        try {
            return new ProcessBuilder("/usr/bin/env", "--default-signal=INT", "true").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Like {@link #spawnWithCtrlC}, in its own session (setsid) and so its own process group, as a terminal's
     * foreground job is: {@code kill -INT -PID} then reaches the CLI and the programs it runs together.
     */
    Process spawnInOwnGroup(String... args) {
        return spawn(List.of("/usr/bin/setsid", "/usr/bin/env", "--default-signal=INT"), args);
    }

    /**
     * The CLI on a real terminal: a pseudo-terminal made by util-linux's {@code script}, whose foreground process
     * group the CLI is in. Writing {@code \u0003} to the process's stdin is typing Ctrl-C: the terminal sends
     * SIGINT to the whole foreground group. Output (the terminal's, so with CR LF) goes to {@link #output}.
     */
    Process spawnInTerminal(String... args) {
        StringBuilder line = new StringBuilder("exec");
        for (String a : command(List.of("/usr/bin/env", "--default-signal=INT"), args)) {
            line.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        return start(List.of("script", "--quiet", "--return", "--command", line.toString(), "/dev/null"),
                ProcessBuilder.Redirect.PIPE);
    }

    private List<String> command(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(java());
        cmd.addAll(jvmFlags());
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")); // as bin/cove runs the CLI
        cmd.addAll(List.of("-cp", classpath(false), "dev.cove.cli.CoveCli"));
        cmd.addAll(List.of(withDataDir(args)));
        return cmd;
    }

    private Process spawn(List<String> prefix, String... args) {
        return start(command(prefix, args), ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    private Process start(List<String> cmd, ProcessBuilder.Redirect input) {
        int n = RUNS.incrementAndGet();
        Path dir = outputDir != null ? outputDir : dataDir.getParent();
        Path out = dir.resolve("cli-" + n + ".out");
        Path err = dir.resolve("cli-" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(input)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("COVE_"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            outputs.put(p.pid(), new Path[]{out, err});
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /**
     * Runs the CLI process on a pseudo-terminal (stdin and stdout both a terminal, as a person types it),
     * answers {@code answer} when it asks a "[y/N]" question, and returns the exit status and everything the
     * terminal showed (stdout and stderr together, as {@link Result#out}).
     */
    Result runInTerminal(String answer, String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", PTY_DRIVER, answer, java()));
        cmd.addAll(jvmFlags());
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath(false), "dev.cove.cli.CoveCli"));
        cmd.addAll(List.of(withDataDir(args)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("COVE_"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            byte[] shown = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("cove " + String.join(" ", args) + " did not finish within 60 s");
            }
            return new Result(p.exitValue(), new String(shown, java.nio.charset.StandardCharsets.UTF_8), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Python's pty module: runs argv[2:] on a new terminal and types argv[1] once "[y/N]" appears. */
    private static final String PTY_DRIVER = """
            import os, pty, sys
            answer, cmd = sys.argv[1].encode(), sys.argv[2:]
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp(cmd[0], cmd)
            shown, answered = b"", False
            while True:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                shown += data
                if not answered and b"[y/N]" in shown:
                    os.write(fd, answer + b"\\n")
                    answered = True
            sys.stdout.buffer.write(shown)
            sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            """;

    Path outFile(Process p) {
        return outputs.get(p.pid())[0];
    }

    Path errFile(Process p) {
        return outputs.get(p.pid())[1];
    }

    /** Everything a spawned CLI process has written so far. */
    Result output(Process p) {
        try {
            return new Result(p.isAlive() ? -1 : p.exitValue(), Files.readString(outFile(p)), Files.readString(errFile(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String[] withDataDir(String[] args) {
        String[] all = Arrays.copyOf(new String[]{"--data-dir", dataDir.toString()}, args.length + 2);
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    /** Kills (SIGKILL) every daemon whose lock file under the data folder names a live DaemonMain process. */
    void killDaemons() {
        // ProcessHandle.Info.commandLine() is empty for command lines over 4 KiB (the tests' class path is
        // longer), so daemons are recognised by /proc/PID/cmdline: by their --data-dir, and by the lock's pid
        Set<ProcessHandle> daemons = new HashSet<>(Daemons.running(dataDir));
        for (InstanceStatus i : InstanceScanner.scan(dataDir)) {
            InstanceLock.readPid(paths(i.name()).lockFile()).ifPresent(pid -> ProcessHandle.of(pid)
                    .filter(Daemons::isDaemonMain).ifPresent(daemons::add));
        }
        for (ProcessHandle h : daemons) {
            h.destroyForcibly();
            h.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /** The PID in an instance's lock file: the daemon that holds (or last held) it. */
    long lockPid(String instance) {
        return InstanceLock.readPid(paths(instance).lockFile()).orElseThrow(() -> new AssertionError(
                "no pid in " + paths(instance).lockFile()));
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(10); // poll interval of a deadline-bounded wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> jvmFlags() {
        String flags = System.getProperty("cove.test.jvm", "--enable-native-access=ALL-UNNAMED");
        return Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * The test class path cut to what one program needs: the daemon's (no CLI, no slf4j-nop, so it
     * logs through Logback) or the CLI's (no daemon module, no Logback, no SQLite: the CLI must not
     * need the daemon's classes).
     */
    private static String classpath(boolean daemon) {
        List<String> keep = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String p = entry.replace('\\', '/');
            String name = Path.of(entry).getFileName().toString();
            boolean test = name.equals("test-classes") || p.contains("/junit") || p.contains("/surefire")
                    || p.contains("/opentest4j") || p.contains("/apiguardian");
            boolean cliOnly = p.contains("cove-cli") || p.contains("/clients/cli/") || name.startsWith("picocli")
                    || name.startsWith("slf4j-nop");
            boolean daemonOnly = p.contains("cove-daemon") || p.contains("/daemon/server/")
                    || name.startsWith("logback-") || name.startsWith("sqlite-jdbc");
            if (entry.isBlank() || test || (daemon ? cliOnly : daemonOnly)) {
                continue;
            }
            keep.add(entry);
        }
        return String.join(File.pathSeparator, keep);
    }
}
