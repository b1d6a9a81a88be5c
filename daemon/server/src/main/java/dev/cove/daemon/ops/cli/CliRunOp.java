package dev.cove.daemon.ops.cli;

import dev.cove.api.cli.CliExit;
import dev.cove.api.cli.RunCli;
import dev.cove.daemon.cli.CliHost;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Runs a {@code cove} command line in the daemon for the native client; its output streams back as parts. */
@Action("cli.run")
public final class CliRunOp implements Handler<RunCli, CliExit> {
    private final CliHost host;

    public CliRunOp(CliHost host) {
        this.host = host;
    }

    @Override
    public CliExit handle(RunCli input, CallContext context) throws InterruptedException {
        return host.run(input, context);
    }
}
