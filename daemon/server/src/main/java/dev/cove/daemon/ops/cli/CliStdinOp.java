package dev.cove.daemon.ops.cli;

import dev.cove.api.cli.CliDelivered;
import dev.cove.api.cli.CliStdin;
import dev.cove.daemon.cli.CliHost;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Input from the client's stdin for a running command that asked for it. */
@Action("cli.stdin")
public final class CliStdinOp implements Handler<CliStdin, CliDelivered> {
    private final CliHost host;

    public CliStdinOp(CliHost host) {
        this.host = host;
    }

    @Override
    public CliDelivered handle(CliStdin input, CallContext context) {
        return new CliDelivered(host.running(input.session()).map(i -> {
            i.input(input.data(), input.eof());
            return true;
        }).orElse(false));
    }
}
