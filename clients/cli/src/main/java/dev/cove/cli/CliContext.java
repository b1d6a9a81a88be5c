package dev.cove.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What one run of the CLI may know of the world it runs in: the working folder, the environment, the streams, the
 * terminal and Ctrl-C. The CLI runs many times at once inside the daemon, so nothing a command does may come from
 * the process ({@code System.out}, {@code System.getenv}, the JVM's working folder, signal handlers); it comes
 * from here.
 *
 * @param cwd            the folder relative paths are taken from (absolute)
 * @param stdout         the command's stdout as bytes ({@code --print0}); null when the output is captured by
 *                       the writers the caller set on the command line (tests), which then get raw bytes as chars
 * @param stderr         the command's stderr as bytes; null under the same condition as stdout
 * @param stdinTerminal  whether a person can answer a question on stdin
 * @param stdoutTerminal whether stdout is a terminal (progress bars redraw in place)
 * @param columns        the terminal's width, or 0 when not known
 * @param interrupts     where the command registers what Ctrl-C does
 */
public record CliContext(Path cwd, Map<String, String> env, InputStream stdin, OutputStream stdout,
                         OutputStream stderr, boolean stdinTerminal, boolean stdoutTerminal, int columns,
                         Interrupts interrupts) {
    /** The width used when neither the terminal nor $COLUMNS says. */
    public static final int DEFAULT_WIDTH = 100;

    public CliContext {
        if (!cwd.isAbsolute()) {
            // made absolute here it would be taken from the JVM's folder, which is not the user's in the daemon
            throw new IllegalArgumentException("the working folder must be an absolute path, not '" + cwd + "'");
        }
        cwd = cwd.normalize();
        env = Map.copyOf(env);
    }

    /** Ctrl-C while a command runs. */
    @FunctionalInterface
    public interface Interrupts {
        /** Runs {@code action} on Ctrl-C until the registration is closed (instead of stopping the command). */
        Registration onInterrupt(Runnable action);
    }

    /** An action registered with {@link Interrupts}; closing removes it. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The CLI as its own process: the process's folder, environment and file descriptors, and SIGINT.
     * Only {@link CoveCli#main} may use this: it is the one place that owns the process.
     */
    static CliContext ofProcess(boolean terminal) {
        return new CliContext(Path.of("").toAbsolutePath(), System.getenv(), System.in,
                // straight to the file descriptor, so that a closed pipe (`cove events | head`) shows in checkError()
                new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err),
                terminal, terminal, 0, action -> CancelOnInterrupt.register(action, true));
    }

    /**
     * The CLI run in a program's JVM with the output captured by writers the program sets (tests): {@code env} in
     * place of the process's, no terminal, the JVM's folder and stdin.
     */
    public static CliContext embedded(Map<String, String> env) {
        return new CliContext(Path.of("").toAbsolutePath(), env, System.in, null, null, false, false, 0,
                action -> CancelOnInterrupt.register(action, false));
    }

    /** The terminal's width: the one the invocation measured, else $COLUMNS, else {@value DEFAULT_WIDTH}. */
    public int width() {
        if (columns > 0) {
            return columns;
        }
        try {
            int c = Integer.parseInt(env.getOrDefault("COLUMNS", "").strip());
            return c > 0 ? c : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }

    /** {@code path} taken from {@link #cwd()} when relative. */
    public Path resolve(Path path) {
        return cwd.resolve(path);
    }
}
