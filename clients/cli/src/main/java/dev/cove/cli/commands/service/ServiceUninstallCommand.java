package dev.cove.cli.commands.service;

import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "uninstall", description = {
        "Stop and disable the instance's systemd user service (when systemd runs) and delete its unit file.",
        "Exits with status 1 when there is no unit."})
public final class ServiceUninstallCommand implements Callable<Integer> {
    @ParentCommand
    ServiceCommand service;

    @Override
    public Integer call() {
        CoveCli cove = service.cove();
        Systemd systemd = service.systemd();
        String unitName = Systemd.unitName(cove.paths());
        Path file = service.installedUnit(systemd);
        String unavailable = systemd.unavailableReason();
        boolean disabled = false;
        if (unavailable == null) {
            Systemd.Run r = systemd.systemctl("disable", "--now", unitName);
            if (!r.ok()) {
                throw new CliException(ExitCodes.ERROR, "systemctl --user disable --now " + unitName + " failed: "
                        + r.output().strip() + "; the unit file is left in place");
            }
            disabled = true;
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot delete " + file + ": " + e.getMessage());
        }
        if (unavailable == null) {
            systemd.systemctl("daemon-reload");
        }
        if (cove.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", unitName);
            m.put("file", file.toString());
            m.put("removed", true);
            m.put("disabled", disabled);
            cove.printJson(m);
        } else {
            cove.out().printf("%sRemoved %s%n", disabled ? "Stopped and disabled " + unitName + ". " : "", file);
            if (!disabled) {
                cove.out().printf("(systemd's user manager is not running here, so there was nothing to stop: %s)%n",
                        unavailable);
            }
        }
        return ExitCodes.OK;
    }
}
