package dev.cove.cli.commands;

import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.cli.Supervision;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.codec.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "status", description = "Show the daemon's instance, pid, version, uptime, paths, load and memory.")
public final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Override
    public Integer call() {
        DaemonStatus s;
        try (CoreClient client = cove.client()) {
            s = client.call(new GetStatus());
        }
        if (cove.json()) {
            com.fasterxml.jackson.databind.node.ObjectNode json = Json.MAPPER.valueToTree(s);
            Supervision.of(cove.paths()).ifPresentOrElse(sup -> json.putObject("supervisor").put("pid", sup.pid())
                    .put("restarts", sup.restarts()).put("lastExit", sup.lastExit()), () -> json.putNull("supervisor"));
            cove.printJson(json);
            return ExitCodes.OK;
        }
        PrintWriter out = cove.out();
        out.println("Cove daemon is running");
        Format.table(out, List.of(
                row("instance", s.instance() + (s.privateInstance() ? " (private, tied to pid " + s.parentPid() + ")" : "")),
                row("pid", Long.toString(s.pid())),
                row("version", s.version() + " (protocol " + s.protocol() + ", Java " + s.javaVersion() + ")"),
                row("uptime", Format.duration(s.uptimeMillis()) + " (since " + s.startedAt() + ")"),
                row("socket", s.socket()),
                row("data dir", s.dataDir()),
                row("log file", s.logFile()),
                row("clients", Integer.toString(s.clients())),
                row("methods", Integer.toString(s.methods())),
                row("subscriptions", Integer.toString(s.subscriptions())),
                row("threads", Integer.toString(s.threads())),
                row("memory", "heap " + Format.bytes(s.heapUsedBytes()) + " of " + Format.bytes(s.heapMaxBytes())
                        + ", resident " + Format.bytes(s.rssBytes())),
                row("supervisor", Supervision.of(cove.paths()).map(Supervision::describe).orElse("none"))));
        return ExitCodes.OK;
    }

    private static String[] row(String name, String value) {
        return new String[]{"  " + name, value};
    }
}
