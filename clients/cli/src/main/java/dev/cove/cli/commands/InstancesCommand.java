package dev.cove.cli.commands;

import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.instance.InstanceScanner;
import dev.cove.rpc.instance.InstanceStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "instances", description = {
        "List every instance under the data folder: running, stale (socket left by a dead daemon) or stopped.",
        "Reads the folder directly, so it works when no daemon runs."})
public final class InstancesCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Override
    public Integer call() {
        Path dataDir = cove.paths().dataDir();
        List<InstanceStatus> found = InstanceScanner.scan(dataDir);
        if (cove.json()) {
            cove.printJson(Map.of("dataDir", dataDir.toString(), "instances", found));
            return ExitCodes.OK;
        }
        cove.out().println("Instances in " + dataDir + ":");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"  NAME", "STATE", "PID", "SOCKET"});
        for (InstanceStatus i : found) {
            rows.add(new String[]{"  " + i.name(), i.state().name().toLowerCase(Locale.ROOT),
                    i.pid() == null ? "-" : i.pid().toString(), i.socket()});
        }
        Format.table(cove.out(), rows);
        return ExitCodes.OK;
    }
}
