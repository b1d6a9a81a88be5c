package dev.cove.rpc.client;

import dev.cove.rpc.AppIdentity;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.PathRule;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a daemon process for an instance. The process must be fully detached: its output goes to
 * the instance's startup file and it outlives the client that started it.
 */
@FunctionalInterface
public interface DaemonLauncher {
    Process start(InstancePaths paths, List<String> extraArgs) throws IOException;

    /**
     * Runs {@code command} followed by {@code --data-dir DIR --instance NAME} and any extra
     * arguments, in a new session (via {@code setsid --wait} where it exists) so that neither closing
     * the starting terminal nor Ctrl-C in it takes the daemon down.
     */
    static DaemonLauncher command(List<String> command) {
        return (paths, extra) -> {
            List<String> argv = new ArrayList<>();
            Path setsid = findOnPath("setsid");
            if (setsid != null) {
                // --wait: when setsid has to fork (it does if it leads its process group), it stays as the
                // daemon's stand-in, so the Process we hold lives and exits with the daemon, not at once with 0
                argv.add(setsid.toString());
                argv.add("--wait");
            }
            argv.addAll(command);
            argv.addAll(List.of("--data-dir", paths.dataDir().toString(), "--instance", paths.instance()));
            argv.addAll(extra);
            paths.enterDaemonDir(); // the daemon tightens what is loose, and logs it
            PathRule.ensure(paths.logDir(), false);
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(paths.startupOutput().toFile());
            return pb.start();
        };
    }

    /**
     * The launcher described by the environment, for the application the class path declares
     * ({@link AppIdentity#ambient()}); see {@link #fromEnvironment(AppIdentity, Map)}.
     */
    static DaemonLauncher fromEnvironment() {
        return fromEnvironment(AppIdentity.ambient(), System.getenv());
    }

    static DaemonLauncher fromEnvironment(Map<String, String> env) {
        return fromEnvironment(AppIdentity.ambient(), env);
    }

    /**
     * The launcher described by the environment: {@code {PREFIX}_DAEMON_CLASSPATH} (with
     * {@code {PREFIX}_JAVA} and {@code {PREFIX}_JAVA_OPTS}) runs the daemon class directly; otherwise
     * {@code {PREFIX}_LAUNCHER}, or the application's command on the PATH, runs {@code {command} daemon}.
     * Null if none.
     */
    static DaemonLauncher fromEnvironment(AppIdentity app, Map<String, String> env) {
        String cp = env.get(app.env("DAEMON_CLASSPATH"));
        if (cp != null && !cp.isBlank() && (app.daemonMain() != null || env.get(app.env("DAEMON_MAIN")) != null)) {
            String java = env.getOrDefault(app.env("JAVA"), Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> cmd = new ArrayList<>(List.of(java));
            String opts = env.getOrDefault(app.env("JAVA_OPTS"), "--enable-native-access=ALL-UNNAMED");
            for (String o : opts.trim().split("\\s+")) {
                if (!o.isEmpty()) {
                    cmd.add(o);
                }
            }
            withHeapCeiling(cmd);
            cmd.addAll(List.of("-cp", cp, env.getOrDefault(app.env("DAEMON_MAIN"), app.daemonMain())));
            return command(cmd);
        }
        String launcher = env.get(app.env("LAUNCHER"));
        Path found = launcher != null && !launcher.isBlank() ? Path.of(launcher) : findOnPath(app.command());
        return found == null ? null : command(List.of(found.toString(), "daemon"));
    }

    /**
     * Runs {@code mainClass daemon --data-dir DIR --instance NAME} in a new JVM on this JVM's own class path,
     * with the same {@code java}: what a program that carries its daemon in its own jars wants, with nothing to
     * put on the PATH. {@link #FRAMEWORK_JVM_OPTIONS} come first, then {@code jvmOptions}; {@link #withHeapCeiling}
     * sizes the heap unless they do.
     */
    static DaemonLauncher thisClassPath(Class<?> mainClass, String... jvmOptions) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(FRAMEWORK_JVM_OPTIONS);
        cmd.addAll(List.of(jvmOptions));
        withHeapCeiling(cmd);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName(), "daemon"));
        return command(cmd);
    }

    /**
     * What the framework's own libraries need from the JVM that runs a daemon: on JDK 23 and later, Kryo's use
     * of {@code sun.misc.Unsafe} is allowed rather than warned about on every start (JEP 471/498).
     */
    List<String> FRAMEWORK_JVM_OPTIONS = Runtime.version().feature() >= 23
            ? List.of("--sun-misc-unsafe-memory-access=allow") : List.of();

    /**
     * The daemon's default heap ceiling. Without one the JVM takes a quarter of the machine's memory and, with
     * G1, grows towards it while indexing (0.8-1.2 GB seen on 200,000 files) although the live set is far
     * smaller: the name table of 1,000,000 entries is ~110 MB. Raise it with {@code {PREFIX}_JAVA_OPTS=-Xmx2g}.
     */
    public static final String DEFAULT_HEAP_CEILING = "-Xmx512m";

    /**
     * How the daemon's heap grows, added unless the options name the same flag. Measured indexing 200,000 files
     * (benchmarks.md, "Files at scale"): by default G1 starts at 1/64 of the machine's memory and expands towards
     * the ceiling whenever GC takes more than ~8% of the time, which a walk allocating fast does on 2 cores, so
     * peak RSS was 543 MiB. Starting small, letting GC take up to 20% of the time before growing
     * ({@code GCTimeRatio=4}) and giving back memory beyond 30% free kept the heap near its live set (peak RSS
     * 338 MiB); the serial collector had less GC overhead but let its old generation fill with garbage up to
     * the ceiling before any full collection (386-418 MiB).
     */
    public static final List<String> DEFAULT_HEAP_TUNING = List.of("-Xms16m", "-XX:GCTimeRatio=4",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");

    /**
     * Adds {@link #DEFAULT_HEAP_CEILING} to a JVM command line unless its options already size the heap, and each
     * of {@link #DEFAULT_HEAP_TUNING} unless they already set that flag.
     */
    public static void withHeapCeiling(List<String> cmd) {
        boolean sized = false;
        for (String o : cmd) {
            if (o.startsWith("-Xmx") || o.startsWith("-XX:MaxHeapSize") || o.startsWith("-XX:MaxRAM")) {
                sized = true;
            }
        }
        List<String> add = new ArrayList<>();
        if (!sized) {
            add.add(DEFAULT_HEAP_CEILING);
        }
        for (String t : DEFAULT_HEAP_TUNING) {
            String name = t.startsWith("-Xms") ? "-Xms" : t.substring(0, t.indexOf('=') + 1);
            boolean given = false;
            for (String o : cmd) {
                if (o.startsWith(name) || name.equals("-Xms") && o.startsWith("-XX:InitialHeapSize")) {
                    given = true;
                }
            }
            if (!given) {
                add.add(t);
            }
        }
        cmd.addAll(add);
    }

    private static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
