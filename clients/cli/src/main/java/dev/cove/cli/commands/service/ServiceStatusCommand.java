package dev.cove.cli.commands.service;

import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.instance.InstanceScanner;
import dev.cove.rpc.instance.InstanceStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", description = {
        "Show the instance's systemd user unit: its file and settings, whether systemd has it enabled and active,",
        "and whether its daemon answers. Exits with status 1 when no unit is installed."})
public final class ServiceStatusCommand implements Callable<Integer> {
    private static final List<String> KEYS = List.of("ExecStart", "ExecStop", "Restart", "MemoryMax", "CPUQuota");

    @ParentCommand
    ServiceCommand service;

    @Override
    public Integer call() {
        CoveCli cove = service.cove();
        Systemd systemd = service.systemd();
        String unitName = Systemd.unitName(cove.paths());
        Path file = service.installedUnit(systemd);
        Map<String, String> settings = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0 && KEYS.contains(line.substring(0, eq))) {
                    settings.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot read " + file + ": " + e.getMessage());
        }
        String unavailable = systemd.unavailableReason();
        String enabled = unavailable == null ? systemd.systemctl("is-enabled", unitName).firstLine() : "unknown";
        String active = unavailable == null ? systemd.systemctl("is-active", unitName).firstLine() : "unknown";
        InstanceStatus daemon = InstanceScanner.status(cove.paths());
        if (cove.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", unitName);
            m.put("file", file.toString());
            m.put("settings", settings);
            m.put("systemd", unavailable == null ? "available" : unavailable);
            m.put("enabled", enabled);
            m.put("active", active);
            m.put("daemon", daemon.state().name().toLowerCase());
            m.put("daemonPid", daemon.pid());
            cove.printJson(m);
            return ExitCodes.OK;
        }
        PrintWriter out = cove.out();
        out.printf("%s%n  file      %s%n", unitName, file);
        settings.forEach((k, v) -> out.printf("  %-9s %s%n", k, v));
        if (unavailable == null) {
            out.printf("  enabled   %s%n  active    %s%n", enabled, active);
        } else {
            out.printf("  systemd   not available: %s%n", unavailable);
        }
        out.printf("  daemon    %s%s%n", daemon.state().name().toLowerCase(),
                daemon.pid() == null ? "" : " (pid " + daemon.pid() + ")");
        return ExitCodes.OK;
    }
}
