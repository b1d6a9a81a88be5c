package dev.cove.api.cli;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Input for a running {@link RunCli} that asked for it: one read of the client's stdin; {@code eof} at its end. */
@Method("action:cli.stdin.input.v1")
public record CliStdin(String session, byte[] data, boolean eof) implements Request<CliDelivered> {
}
