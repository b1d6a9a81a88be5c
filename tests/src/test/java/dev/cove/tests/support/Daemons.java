package dev.cove.tests.support;

import java.nio.file.Path;
import java.util.List;

/** Finds daemon processes by their command line, whoever started them. */
public final class Daemons {
    private Daemons() {
    }

    /**
     * Live {@code DaemonMain} JVMs started with {@code --data-dir dataDir} (any instance). The
     * {@code setsid} wrapper a launcher may put in front of a daemon is not a daemon and is not counted.
     */
    public static List<ProcessHandle> running(Path dataDir) {
        String dir = dataDir.toAbsolutePath().normalize().toString();
        // a JVM that starts a helper program (the JDK's console support runs stty) shows, between fork and exec,
        // a child with its own command line: a daemon's child is never another daemon, so it is left out
        return ProcessHandle.allProcesses().filter(p -> isDaemon(p, dir)
                && !p.parent().map(parent -> isDaemon(parent, dir)).orElse(false)).toList();
    }

    /** True when {@code p} is a {@code DaemonMain} JVM (its arguments read as {@link #arguments} does). */
    public static boolean isDaemonMain(ProcessHandle p) {
        return arguments(p).contains(Jvm.DAEMON_MAIN);
    }

    private static boolean isDaemon(ProcessHandle p, String dir) {
        if (p.info().command().map(c -> Path.of(c).getFileName().toString().equals("setsid")).orElse(false)) {
            return false;
        }
        List<String> args = arguments(p);
        int i = args.indexOf("--data-dir");
        return args.contains(Jvm.DAEMON_MAIN) && i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(dir);
    }

    /**
     * A process's arguments. The JDK's {@code ProcessHandle.Info.arguments()} is empty for command lines over a
     * page (4 KiB), which the tests' class path exceeds, so on Linux they are read from /proc/PID/cmdline.
     */
    static List<String> arguments(ProcessHandle p) {
        java.nio.file.Path cmdline = java.nio.file.Path.of("/proc", Long.toString(p.pid()), "cmdline");
        try {
            String all = java.nio.file.Files.readString(cmdline, java.nio.charset.StandardCharsets.UTF_8);
            List<String> words = List.of(all.split("\0"));
            return words.isEmpty() ? List.of() : words.subList(1, words.size());
        } catch (java.io.IOException | RuntimeException e) {
            return p.info().arguments().map(List::of).orElse(List.of());
        }
    }

    /** pid, parent, start time and the command's first words and instance, for failure messages. */
    public static String describe(ProcessHandle p) {
        ProcessHandle.Info i = p.info();
        List<String> args = arguments(p);
        int n = args.indexOf("--instance");
        return "pid " + p.pid() + " (parent " + p.parent().map(ProcessHandle::pid).orElse(-1L) + ", started "
                + i.startInstant().orElse(null) + ", " + i.command().orElse("?") + " ... "
                + (n >= 0 && n + 1 < args.size() ? "--instance " + args.get(n + 1) : "") + ")";
    }
}
