package dev.cove.cli.commands;

import dev.cove.api.events.LogLevel;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.RunsLocally;
import dev.cove.rpc.instance.InstancePaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Runs the daemon in the foreground as a child process sharing this terminal. The CLI never links
 * the daemon's classes: it runs {@code java -cp $COVE_DAEMON_CLASSPATH dev.cove.daemon.DaemonMain}.
 */
@RunsLocally
@Command(name = "daemon", description = {
        "Run the daemon in the foreground, logging to this terminal too; Ctrl-C stops it.",
        "Exits with the daemon's status: 1 if a daemon already runs for the instance."},
        footer = {"%nOther options go to the daemon as they are, e.g. --shutdown-grace 5 or --parent-pid PID."})
public final class DaemonCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "Log level: trace, debug, info, warn, error "
            + "(default: info).")
    LogLevel logLevel;

    @Unmatched
    List<String> daemonOptions = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Process daemon = new ProcessBuilder(command(cove.env(), cove.paths())).inheritIO().start();
        // Ctrl-C reaches the daemon too (same process group); a SIGTERM to this process alone is passed on
        Thread forward = new Thread(() -> {
            daemon.destroy();
            try {
                daemon.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "cove-daemon-stop");
        Runtime.getRuntime().addShutdownHook(forward);
        int status = daemon.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(forward);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        return status;
    }

    private List<String> command(Map<String, String> env, InstancePaths paths) {
        String classpath = env.get("COVE_DAEMON_CLASSPATH");
        if (classpath == null || classpath.isBlank()) {
            throw new CliException(ExitCodes.START_FAILED, "cannot run a daemon: COVE_DAEMON_CLASSPATH is not set. "
                    + "Run cove through bin/cove, which sets it");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(env.getOrDefault("COVE_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String opt : env.getOrDefault("COVE_JAVA_OPTS", "--enable-native-access=ALL-UNNAMED").trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                cmd.add(opt);
            }
        }
        dev.cove.rpc.client.DaemonLauncher.withHeapCeiling(cmd);
        cmd.addAll(List.of("-cp", classpath, env.getOrDefault("COVE_DAEMON_MAIN", "dev.cove.daemon.DaemonMain"),
                "--data-dir", paths.dataDir().toString(), "--instance", paths.instance()));
        if (logLevel != null) {
            cmd.addAll(List.of("--log-level", logLevel.name().toLowerCase(Locale.ROOT)));
        }
        cmd.addAll(daemonOptions);
        return cmd;
    }
}
