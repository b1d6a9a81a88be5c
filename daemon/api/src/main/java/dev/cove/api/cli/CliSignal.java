package dev.cove.api.cli;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/**
 * A signal the client received while a {@link RunCli} ran: {@code INT} (Ctrl-C) cancels what the command follows,
 * as it does in a CLI of its own; a second one stops the command.
 */
@Method("action:cli.signal.input.v1")
public record CliSignal(String session, String signal) implements Request<CliDelivered> {
}
