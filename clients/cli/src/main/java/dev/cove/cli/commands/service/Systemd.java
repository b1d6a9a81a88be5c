package dev.cove.cli.commands.service;

import dev.cove.cli.CliException;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.instance.InstancePaths;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The systemd user unit of an instance: where it lives, what it says, and {@code systemctl --user}. Every
 * input comes from the environment map the CLI was given ({@code XDG_CONFIG_HOME}, {@code HOME},
 * {@code PATH}, {@code COVE_*}), so a test can point it at a temporary folder.
 */
final class Systemd {
    private final Map<String, String> env;

    Systemd(Map<String, String> env) {
        this.env = env;
    }

    /** {@code cove.service} for the default instance, {@code cove-NAME.service} for a named one. */
    static String unitName(InstancePaths paths) {
        return paths.isDefault() ? "cove.service" : "cove-" + paths.instance() + ".service";
    }

    /** {@code $XDG_CONFIG_HOME/systemd/user}, else {@code ~/.config/systemd/user}: where systemd --user looks. */
    Path unitDir() {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("systemd").resolve("user");
    }

    Path unitFile(InstancePaths paths) {
        return unitDir().resolve(unitName(paths));
    }

    /** What the unit's daemon runs with; limits are null when not wanted. */
    record Settings(@Nullable String memoryMax, @Nullable String cpuQuota, @Nullable String idleTimeout) {
    }

    /**
     * The unit. The daemon runs in the foreground as the service's main process (Type=simple): no
     * bin/cove in between, so systemd watches and signals the JVM itself, and nothing gets built at boot.
     */
    String unit(InstancePaths paths, Settings s) {
        String classpath = env.get("COVE_DAEMON_CLASSPATH");
        if (classpath == null || classpath.isBlank()) {
            throw new CliException(ExitCodes.ERROR, "cannot write a service: this cove was not run through bin/cove, "
                    + "so COVE_DAEMON_CLASSPATH (the daemon's jars) is not known. Run bin/cove service install");
        }
        List<String> start = new ArrayList<>();
        start.add(env.getOrDefault("COVE_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String o : env.getOrDefault("COVE_JAVA_OPTS", "--enable-native-access=ALL-UNNAMED").trim().split("\\s+")) {
            if (!o.isEmpty()) {
                start.add(o);
            }
        }
        dev.cove.rpc.client.DaemonLauncher.withHeapCeiling(start);
        start.addAll(List.of("-cp", classpath, "dev.cove.daemon.DaemonMain", "--data-dir", paths.dataDir().toString(),
                "--instance", paths.instance()));
        if (s.idleTimeout() != null) {
            start.addAll(List.of("--idle-timeout", s.idleTimeout()));
        }
        String launcher = env.get("COVE_LAUNCHER");
        StringBuilder u = new StringBuilder();
        u.append("# Written by `cove service install` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("; remove it with `cove service uninstall")
                .append(paths.isDefault() ? "" : " --instance " + paths.instance()).append("`.\n");
        u.append("[Unit]\n");
        u.append("Description=Cove daemon (instance ").append(paths.instance()).append(")\n");
        // the supervisor's rule, in systemd's words: at most 5 starts within 60 s, then give up
        u.append("StartLimitIntervalSec=60\nStartLimitBurst=5\n\n");
        u.append("[Service]\n");
        u.append("Type=simple\n");
        u.append("ExecStart=").append(commandLine(start)).append('\n');
        if (launcher != null && !launcher.isBlank()) {
            // `cove stop` waits for running calls and jobs to be recorded; systemd's SIGTERM follows anyway.
            // '-': after a crash there is nothing to stop, and that is no failure
            u.append("ExecStop=-").append(commandLine(List.of(launcher, "--data-dir", paths.dataDir().toString(),
                    "--instance", paths.instance(), "stop"))).append('\n');
            u.append("Environment=COVE_NO_BUILD=1\n"); // bin/cove must never run Maven inside a stop
        }
        // on-failure: a crash, a kill or the heap self-expiry (exit 75) restart it; a clean or idle stop does not
        u.append("Restart=on-failure\nRestartSec=1s\n");
        u.append("TimeoutStopSec=45s\n");
        if (s.memoryMax() != null) {
            u.append("MemoryMax=").append(s.memoryMax()).append('\n');
        }
        if (s.cpuQuota() != null) {
            u.append("CPUQuota=").append(s.cpuQuota()).append('\n');
        }
        u.append("\n[Install]\nWantedBy=default.target\n");
        return u.toString();
    }

    /** Words joined as systemd reads a command line: quoted when needed, with % and $ escaped. */
    static String commandLine(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            String e = w.replace("%", "%%").replace("$", "$$");
            if (e.isEmpty() || e.matches(".*[\\s\"'\\\\;].*")) {
                e = "\"" + e.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
            out.add(e);
        }
        return String.join(" ", out);
    }

    /** What `systemctl --user` did: its exit status and output (stdout and stderr together). */
    record Run(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        String firstLine() {
            String t = output.strip();
            return t.isEmpty() ? "exit status " + exit : t.lines().findFirst().orElse(t);
        }
    }

    /** The systemctl binary: $COVE_SYSTEMCTL, else systemctl on the PATH; null when there is none. */
    @Nullable Path systemctl() {
        String explicit = env.get("COVE_SYSTEMCTL");
        if (explicit != null && !explicit.isBlank()) {
            return Files.isExecutable(Path.of(explicit)) ? Path.of(explicit) : null;
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "systemctl"))) {
                return Path.of(dir, "systemctl");
            }
        }
        return null;
    }

    /**
     * Null when a user service manager answers; otherwise why not, in words for the user. Installed
     * systemd is not enough: containers and some login setups have no {@code systemd --user} running.
     */
    @Nullable String unavailableReason() {
        Path bin = systemctl();
        if (bin == null) {
            return "there is no systemctl on the PATH (no systemd here)";
        }
        Run r = systemctl("show-environment");
        return r.ok() ? null : "systemd's user manager does not answer (`systemctl --user`: " + r.firstLine() + ")";
    }

    Run systemctl(String... args) {
        Path bin = systemctl();
        if (bin == null) {
            return new Run(127, "no systemctl");
        }
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--user"));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("cove-systemctl", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                // systemctl --user finds the user manager through these
                for (String k : List.of("XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "HOME", "PATH")) {
                    if (env.containsKey(k)) {
                        pb.environment().put(k, env.get(k));
                    }
                }
                Process p = pb.start();
                if (!p.waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return new Run(124, "systemctl --user " + String.join(" ", args) + " did not finish within 30 s");
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return new Run(126, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(130, "interrupted");
        }
    }
}
