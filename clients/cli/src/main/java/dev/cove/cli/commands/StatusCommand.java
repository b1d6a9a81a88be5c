package dev.cove.cli.commands;

import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.api.upstream.GetUpstreamStatus;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Supervision;
import dev.cove.cli.Views;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.codec.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

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
        Views.status(cove.out(), s, Supervision.of(cove.paths()));
        return ExitCodes.OK;
    }

    /** Forwarding's status (in --json; text shows it in `cove upstream status`), or null from an older daemon. */
    private static UpstreamStatus upstream(CoreClient client) {
        try {
            return client.call(new GetUpstreamStatus());
        } catch (dev.cove.rpc.RpcException e) {
            return null;
        }
    }
}
