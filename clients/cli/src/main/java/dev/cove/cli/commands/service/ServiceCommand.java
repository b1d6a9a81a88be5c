package dev.cove.cli.commands.service;

import dev.cove.cli.CoveCli;
import dev.cove.cli.CliException;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.RunsLocally;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cove service}: the daemon as a systemd user service. */
@RunsLocally
@Command(name = "service", description = {
        "Run the daemon as a systemd user service: started at login, restarted when it fails, with memory and "
                + "CPU limits.",
        "Without a running systemd user manager, install writes the unit and says how to enable it."},
        subcommands = {ServiceInstallCommand.class, ServiceUninstallCommand.class, ServiceStatusCommand.class})
public final class ServiceCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    CoveCli cove() {
        return cove;
    }

    Systemd systemd() {
        return new Systemd(cove.env());
    }

    /** The instance's unit file; exit status 1 with how to install one when there is none. */
    java.nio.file.Path installedUnit(Systemd systemd) {
        java.nio.file.Path file = systemd.unitFile(cove.paths());
        if (!java.nio.file.Files.exists(file)) {
            throw new CliException(ExitCodes.ERROR, "no service is installed for instance '"
                    + cove.paths().instance() + "' (no " + file + "). Install one with `"
                    + cove.command("service install") + "`");
        }
        return file;
    }

    @Override
    public Integer call() {
        cove.err().println("cove service: name a subcommand: install, uninstall or status (see `cove service --help`)");
        return ExitCodes.USAGE;
    }
}
