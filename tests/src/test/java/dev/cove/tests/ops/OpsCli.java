package dev.cove.tests.ops;

import dev.cove.cli.CoveCli;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The {@code cove} CLI run in-process (picocli, captured output) against one data folder, with the
 * environment bin/cove gives it, so that the daemons and supervisors it starts are real processes.
 */
final class OpsCli {
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private final Path dataDir;
    private final Map<String, String> env;

    OpsCli(Path dataDir, Map<String, String> extraEnv) {
        this.dataDir = dataDir;
        Map<String, String> e = new HashMap<>();
        e.put("COVE_JAVA", Jvm.java());
        e.put("COVE_JAVA_OPTS", String.join(" ", Jvm.flags()));
        e.put("COVE_DAEMON_CLASSPATH", Jvm.daemonClasspath());
        e.put("HOME", System.getProperty("user.home"));
        e.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        e.putAll(extraEnv);
        this.env = Map.copyOf(e);
    }

    OpsCli(Path dataDir) {
        this(dataDir, Map.of());
    }

    OpsCli withEnv(String key, String value) {
        Map<String, String> e = new HashMap<>(env);
        e.put(key, value);
        return new OpsCli(dataDir, e);
    }

    Map<String, String> env() {
        return env;
    }

    Path dataDir() {
        return dataDir;
    }

    InstancePaths paths() {
        return new InstancePaths(dataDir, InstancePaths.DEFAULT);
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = CoveCli.commandLine(env);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
        all.addAll(Arrays.asList(args));
        int exit = cmd.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    /** The live process whose pid is in {@code lockFile}, registered with the Reaper. */
    static ProcessHandle holder(Path lockFile) {
        OptionalLong pid = InstanceLock.readPid(lockFile);
        ProcessHandle p = ProcessHandle.of(pid.orElseThrow(() -> new AssertionError("no pid in " + lockFile)))
                .filter(ProcessHandle::isAlive).orElseThrow(() -> new AssertionError("pid in " + lockFile + " is gone"));
        Reaper.register(p);
        return p;
    }

    /**
     * SIGKILLs the supervisor and the daemon named in this data folder's lock files, supervisor first so it
     * restarts nothing. (By pid: the JDK cuts long command lines short, so they cannot be matched.)
     */
    void killAll() {
        for (Path lock : List.of(paths().supervisorLockFile(), paths().lockFile())) {
            InstanceLock.readPid(lock).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(Reaper::kill));
        }
    }
}
