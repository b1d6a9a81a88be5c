package dev.cove.api.cli;

/**
 * How a {@link RunCli} ended.
 *
 * @param exit  the command's exit status
 * @param local true when the command must run in a process of its own (it starts, stops or supervises the
 *              daemon, or runs a program): nothing was printed, and the client runs it in a local JVM
 */
public record CliExit(int exit, boolean local) {
}
