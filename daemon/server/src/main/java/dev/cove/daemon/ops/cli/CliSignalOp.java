package dev.cove.daemon.ops.cli;

import dev.cove.api.cli.CliDelivered;
import dev.cove.api.cli.CliSignal;
import dev.cove.daemon.cli.CliHost;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** A signal the client got while its command ran: INT (Ctrl-C) is the only one a command acts on. */
@Action("cli.signal")
public final class CliSignalOp implements Handler<CliSignal, CliDelivered> {
    private final CliHost host;

    public CliSignalOp(CliHost host) {
        this.host = host;
    }

    @Override
    public CliDelivered handle(CliSignal input, CallContext context) {
        if (!"INT".equals(input.signal())) {
            throw new IllegalArgumentException("signal must be INT, got '" + input.signal() + "'");
        }
        return new CliDelivered(host.running(input.session()).map(i -> {
            i.interrupt();
            return true;
        }).orElse(false));
    }
}
