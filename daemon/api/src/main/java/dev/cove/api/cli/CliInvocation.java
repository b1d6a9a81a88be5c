package dev.cove.api.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One command line run in the daemon for a client: its arguments, folder, environment, terminal and streams. */
public interface CliInvocation {
    List<String> args();

    /** The client's working folder. */
    Path cwd();

    Map<String, String> env();

    boolean stdinTerminal();

    boolean stdoutTerminal();

    /** The terminal's width, or 0 when stdout is no terminal. */
    int columns();

    OutputStream stdout();

    OutputStream stderr();

    /** The client's stdin, read on demand (each read asks the client for more). */
    InputStream stdin();

    /**
     * Runs {@code action} when the client is interrupted (Ctrl-C), instead of stopping the command; closing the
     * result removes it. With no action registered, an interrupt stops the command (exit status 130).
     */
    AutoCloseable onInterrupt(Runnable action);
}
