package dev.cove.cli;

import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;

import java.io.PrintWriter;

/** How the CLI reports an error from the daemon or the client library: one line on stderr and an exit status. */
final class RpcErrors {
    private RpcErrors() {
    }

    static int report(RpcException re, PrintWriter err) {
        String hint = re.code() == ErrorCode.TIMEOUT
                ? ". The daemon may be overloaded or stuck: see `cove logs`, or try `cove restart`"
                : re.code() == ErrorCode.NOT_FOUND && re.getMessage().startsWith("no library")
                && !re.getMessage().contains("`cove library") ? "; see `cove library list`" : "";
        err.println("cove: " + re.getMessage() + hint);
        return ExitCodes.of(re);
    }
}
