package dev.cove.api.cli;

/** Whether a {@link CliStdin} or {@link CliSignal} reached a running command (false: it had ended). */
public record CliDelivered(boolean delivered) {
}
