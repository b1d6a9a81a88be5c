package dev.cove.cli.commands;

import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.api.upstream.GetUpstreamStatus;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.cli.CoveCli;
import dev.cove.cli.commands.upstream.UpstreamStatusCommand;
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
        UpstreamStatus up;
        try (CoreClient client = cove.client()) {
            s = client.call(new GetStatus());
            up = upstream(client);
        }
        if (cove.json()) {
            com.fasterxml.jackson.databind.node.ObjectNode json = Json.MAPPER.valueToTree(s);
            Supervision.of(cove.paths()).ifPresentOrElse(sup -> json.putObject("supervisor").put("pid", sup.pid())
                    .put("restarts", sup.restarts()).put("lastExit", sup.lastExit()), () -> json.putNull("supervisor"));
            json.set("upstream", up == null ? null : Json.MAPPER.valueToTree(up));
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
                row("supervisor", Supervision.of(cove.paths()).map(Supervision::describe).orElse("none")),
                row("upstream", up == null ? "unknown (the daemon is older than this cove)"
                        : UpstreamStatus.OFF.equals(up.state()) ? "off" : up.state() + " to " + up.endpoint() + ", backlog "
                        + UpstreamStatusCommand.backlog(up) + (up.droppedRecords() > 0 ? ", " + up.droppedRecords()
                        + " dropped" : "") + " (cove upstream status)")));
        return ExitCodes.OK;
    }

    /** Forwarding's status, or null from a daemon that does not know the call. */
    private static UpstreamStatus upstream(CoreClient client) {
        try {
            return client.call(new GetUpstreamStatus());
        } catch (dev.cove.rpc.RpcException e) {
            return null;
        }
    }

    private static String[] row(String name, String value) {
        return new String[]{"  " + name, value};
    }
}
