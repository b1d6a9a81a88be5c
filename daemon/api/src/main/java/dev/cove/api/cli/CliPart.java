package dev.cove.api.cli;

/**
 * Part of a {@link RunCli}'s answer, sent as it is made (a {@code progress} frame).
 *
 * @param kind {@code out} or {@code err}: {@code data} goes to that stream; {@code read}: the command waits for
 *             input, and the client answers with one read of its stdin as a {@link CliStdin}
 * @param data the bytes, base64 on the wire; empty for {@code read}
 */
public record CliPart(String kind, byte[] data) {
    public static final String OUT = "out";
    public static final String ERR = "err";
    public static final String READ = "read";
}
