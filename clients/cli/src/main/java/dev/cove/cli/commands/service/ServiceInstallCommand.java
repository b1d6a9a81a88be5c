package dev.cove.cli.commands.service;

import dev.cove.api.Durations;
import dev.cove.cli.Args;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.ReadableFile;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.InstanceScanner;
import dev.cove.rpc.instance.InstanceStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "install", description = {
        "Write the systemd user unit of the instance (~/.config/systemd/user/cove.service, or cove-NAME.service)",
        "and enable and start it (systemctl --user daemon-reload, enable --now).",
        "The daemon runs in the foreground under systemd: Restart=on-failure, optional MemoryMax= and CPUQuota=.",
        "Exits with status 1 when the unit was written but could not be enabled (no systemd user manager)."})
public final class ServiceInstallCommand implements Callable<Integer> {
    @ParentCommand
    ServiceCommand service;

    @Option(names = "--memory-max", paramLabel = "SIZE", description = "MemoryMax= of the service: 512M, 2G, or a "
            + "percentage of RAM (25%%). The JVM's heap should be well below it (COVE_JAVA_OPTS=-Xmx...).")
    String memoryMax;

    @Option(names = "--cpu-quota", paramLabel = "PCT", description = "CPUQuota= of the service, in percent of one CPU: "
            + "50 (half a CPU), 200 (two CPUs).")
    String cpuQuota;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "Stop the daemon after this long without "
            + "clients or jobs (30s, 10m, 2h); systemd does not restart an idle stop.")
    String idleTimeout;

    @Option(names = "--no-enable", description = "Only write the unit file; do not run systemctl.")
    boolean noEnable;

    @Override
    public Integer call() {
        CoveCli cove = service.cove();
        Systemd systemd = service.systemd();
        InstancePaths paths = cove.paths();
        Systemd.Settings settings = new Systemd.Settings(memory(memoryMax), cpu(cpuQuota), idle(idleTimeout));
        String unitName = Systemd.unitName(paths);
        Path file = systemd.unitFile(paths);
        String content = systemd.unit(paths, settings);
        boolean existed = Files.exists(file);
        try {
            Files.createDirectories(file.getParent());
            // the unit says what runs as you at login: never writable by anyone else (it holds no secret)
            ReadableFile.write(file, content);
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot write " + file + ": " + e.getMessage());
        }
        PrintWriter out = cove.out();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("unit", unitName);
        json.put("file", file.toString());
        json.put("replaced", existed);
        if (!cove.json()) {
            out.printf("%s %s%n", existed ? "Replaced" : "Wrote", file);
        }
        String manual = "systemctl --user daemon-reload && systemctl --user enable --now " + unitName;
        if (noEnable) {
            json.put("enabled", false);
            if (cove.json()) {
                cove.printJson(json);
            } else {
                out.printf("Not enabled (--no-enable). To enable and start it: %s%n", manual);
            }
            return ExitCodes.OK;
        }
        String unavailable = systemd.unavailableReason();
        if (unavailable != null) {
            json.put("enabled", false);
            json.put("reason", unavailable);
            if (cove.json()) {
                cove.printJson(json);
            }
            throw new CliException(ExitCodes.ERROR, "the unit is written but not enabled: " + unavailable + ". Where "
                    + "systemd runs for your user, enable it with `" + manual + "`. Without systemd, `"
                    + cove.command("start --supervise") + "` (e.g. from your login script) restarts a crashed daemon "
                    + "instead; `" + cove.command("service uninstall") + "` removes the file");
        }
        InstanceStatus st = InstanceScanner.status(paths);
        if (st.state() == InstanceStatus.State.RUNNING && !systemd.systemctl("is-active", unitName).ok()) {
            throw new CliException(ExitCodes.ERROR, "the unit is written, but a daemon started outside systemd already "
                    + "runs for instance '" + paths.instance() + "'" + (st.pid() == null ? "" : " (pid " + st.pid() + ")")
                    + "; the service's daemon would fail. Stop it with `" + cove.command("stop") + "`, then run `"
                    + manual + "`");
        }
        for (String[] step : new String[][]{{"daemon-reload"}, {"enable", "--now", unitName}}) {
            Systemd.Run r = systemd.systemctl(step);
            if (!r.ok()) {
                throw new CliException(ExitCodes.ERROR, "systemctl --user " + String.join(" ", step) + " failed: "
                        + r.output().strip() + ". See `systemctl --user status " + unitName + "` and `journalctl --user -u "
                        + unitName + "`");
            }
        }
        json.put("enabled", true);
        if (cove.json()) {
            cove.printJson(json);
        } else {
            out.printf("Enabled and started %s: it starts at login and restarts when it fails.%n", unitName);
            out.printf("  status: cove service status   logs: journalctl --user -u %s, cove logs%n", unitName);
        }
        return ExitCodes.OK;
    }

    /** 512M, 2G, 1.5GiB (binary units, written in bytes so systemd reads exactly that), or 25%. */
    static String memory(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        if (t.matches("\\d+(\\.\\d+)?%")) {
            return t;
        }
        try {
            long bytes = Args.size(t);
            if (bytes < 16L << 20) {
                throw new CliException(ExitCodes.USAGE, "--memory-max " + s + " is below 16M; a JVM cannot run in that");
            }
            return Long.toString(bytes);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--memory-max: " + e.getMessage() + ", or a percentage such as 25%");
        }
    }

    /** 50, 50%, 200%: percent of one CPU. */
    static String cpu(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip().endsWith("%") ? s.strip().substring(0, s.strip().length() - 1) : s.strip();
        if (!t.matches("\\d{1,5}") || Integer.parseInt(t) == 0) {
            throw new CliException(ExitCodes.USAGE, "--cpu-quota needs a percentage of one CPU above 0, such as 50 or "
                    + "200, got '" + s + "'");
        }
        return Integer.parseInt(t) + "%";
    }

    static String idle(String s) {
        if (s == null) {
            return null;
        }
        if (!Durations.valid(s)) {
            throw new CliException(ExitCodes.USAGE, "--idle-timeout needs a duration such as 30s, 10m or 2h, got '"
                    + s + "'");
        }
        return s.strip().replace(" ", "");
    }
}
