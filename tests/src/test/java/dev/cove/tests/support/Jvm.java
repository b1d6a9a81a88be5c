package dev.cove.tests.support;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How to start other JVMs from the tests: the java binary, the JVM flags and the class paths. */
public final class Jvm {
    public static final String DAEMON_MAIN = "dev.cove.daemon.DaemonMain";
    /**
     * {@code -Dcove.test.launcherFlags=true}: daemons get the JVM flags a user's daemon gets
     * ({@link dev.cove.rpc.client.DaemonLauncher#withHeapCeiling}), for suites that measure memory as users see it.
     */
    public static final String LAUNCHER_FLAGS = "cove.test.launcherFlags";

    private Jvm() {
    }

    /** The java binary of the JDK running the tests (21+, as the project needs). */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The flags from the build's {@code cove.test.jvm} property (native access for the socket and SQLite libraries). */
    public static List<String> flags() {
        String flags = System.getProperty("cove.test.jvm", "--enable-native-access=ALL-UNNAMED");
        return Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** The whole test class path: test classes, the project's modules and every dependency. */
    public static String testClasspath() {
        return System.getProperty("java.class.path");
    }

    /**
     * The class path a daemon runs with: the test class path without the test classes (so plugins reach
     * the daemon only through plugin jars, as in production) and without slf4j-nop, which the CLI brings
     * and which the daemon's own runtime class path does not have (the daemon logs with Logback).
     */
    public static String daemonClasspath() {
        List<String> keep = new ArrayList<>();
        for (String entry : testClasspath().split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (entry.isBlank() || name.equals("test-classes") || name.endsWith("-tests.jar")
                    || name.startsWith("slf4j-nop")) {
                continue;
            }
            keep.add(entry);
        }
        return String.join(File.pathSeparator, keep);
    }

    /**
     * {@code java <flags> @<file holding -cp and the daemon class path> dev.cove.daemon.DaemonMain}: what a
     * launcher runs. The class path goes through a java launcher argument file because Linux shows a
     * process's arguments ({@code /proc/PID/cmdline}, {@link ProcessHandle.Info#arguments()}) only up to a
     * page: with the test class path inline, tests could no longer find their daemons by arguments.
     */
    public static List<String> daemonCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(flags());
        if (Boolean.getBoolean(LAUNCHER_FLAGS)) {
            // the heap ceiling and G1 settings `cove start` gives, from the launcher's own list
            dev.cove.rpc.client.DaemonLauncher.withHeapCeiling(cmd);
        }
        cmd.addAll(List.of("@" + DaemonArgFile.PATH, DAEMON_MAIN));
        return cmd;
    }

    private static final class DaemonArgFile {
        static final Path PATH = write();

        private static Path write() {
            try {
                Path f = java.nio.file.Files.createTempFile("cove-daemon-classpath", ".args");
                f.toFile().deleteOnExit();
                String quoted = daemonClasspath().replace("\\", "\\\\").replace("\"", "\\\"");
                java.nio.file.Files.writeString(f, "-cp\n\"" + quoted + "\"\n");
                return f;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write the daemon's class path file", e);
            }
        }
    }

    /**
     * {@code java <flags> -cp <test class path> mainClass args...}: a small helper program (a client in a
     * process of its own). It runs briefly, so it skips the optimising compiler to start faster.
     */
    public static List<String> testMainCommand(Class<?> mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(flags());
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(List.of("-cp", testClasspath(), mainClass.getName()));
        cmd.addAll(args);
        return cmd;
    }
}
