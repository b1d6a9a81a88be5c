package dev.cove.cli;

import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;
import dev.cove.rpc.instance.DaemonSocket;
import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * The plain {@code cove start} of {@link QuickLane}: the steps of {@code Lifecycle.start} and CoreClient's
 * auto-start (connect; else, under the spawn lock, connect again, spawn the daemon, and try to connect every
 * 5-20 ms until it greets), on {@link LeanClient}, so that the CLI's part of a start is a small JVM that
 * spawns the daemon early and then mostly sleeps while the daemon's JVM starts on the same cores. The messages,
 * failures included, are CoreClient's and {@link Views}'. A socket that is there but refuses (a crashed
 * daemon's) and a missing launcher are left to the full CLI, which says what to do about them.
 */
final class QuickStart {
    /** As StartCommand's default --timeout. */
    static final long TIMEOUT_MILLIS = 30_000;

    private QuickStart() {
    }

    static int run(InstancePaths paths, Map<String, String> env, PrintWriter out) throws IOException {
        Map<String, Object> hello = greet(paths);
        if (hello == null) {
            if (Files.exists(paths.socket())) {
                return QuickLane.NOT_HANDLED; // refused, busy or not ours: the full CLI retries and explains
            }
            DaemonLauncher launcher = DaemonLauncher.fromEnvironment(paths.app(), env);
            if (launcher == null) {
                return QuickLane.NOT_HANDLED;
            }
            paths.enterDaemonDir();
            // the spawn lock of CoreClient's auto-start: racing starts start one daemon between them
            try (FileChannel fc = FileChannel.open(paths.spawnLockFile(), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = fc.lock()) {
                hello = greet(paths); // whoever held the lock before us may have started it
                if (hello == null) {
                    if (Files.exists(paths.socket())) {
                        return QuickLane.NOT_HANDLED;
                    }
                    hello = spawnAndGreet(paths, launcher);
                    Views.started(out, text(hello, "instance"), number(hello, "pid"), text(hello, "version"),
                            paths.socket().toString(), paths.logFile().toString());
                    return ExitCodes.OK;
                }
            }
        }
        Views.alreadyRunning(out, text(hello, "instance"), number(hello, "pid"));
        return ExitCodes.OK;
    }

    /** CoreClient's start loop: its back-off, its 2 s of grace for a daemon that exited, its messages. */
    private static Map<String, Object> spawnAndGreet(InstancePaths paths, DaemonLauncher launcher) throws IOException {
        long logBefore = Files.exists(paths.logFile()) ? Files.size(paths.logFile()) : 0;
        Process process;
        try {
            process = launcher.start(paths, List.of());
        } catch (IOException e) {
            throw failed("could not start a daemon for instance '" + paths.instance() + "': " + e.getMessage(),
                    "start_failed", paths);
        }
        // While the daemon's JVM starts: a JVM's first Unix socket channel initialises sun.nio.ch.UnixDomainSockets,
        // which asks the security providers for a SecureRandom (12-25 ms); done now, not once the socket is there.
        try {
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
        } catch (IOException ignored) {
            // the connect below reports what matters
        }
        long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000;
        long exitedAt = 0;
        long backoff = 5;
        while (true) {
            Map<String, Object> hello = greet(paths);
            if (hello != null) {
                return hello;
            }
            if (exitedAt == 0 && !process.isAlive()) {
                exitedAt = System.nanoTime();
            }
            if (exitedAt != 0 && System.nanoTime() - exitedAt > 2_000_000_000L) {
                throw failed("the daemon for instance '" + paths.instance() + "' exited with status "
                        + process.exitValue() + " before it answered." + CoreClient.tail(paths.startupOutput(), 0)
                        + CoreClient.tail(paths.logFile(), logBefore), "start_failed", paths);
            }
            if (System.nanoTime() > deadline) {
                throw failed("the daemon for instance '" + paths.instance() + "' did not answer within "
                        + TIMEOUT_MILLIS / 1000 + " s of starting." + CoreClient.tail(paths.logFile(), logBefore),
                        "start_timeout", paths);
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RpcException(ErrorCode.CANCELLED, "interrupted while connecting");
            }
            backoff = Math.min(backoff * 2, 20);
        }
    }

    private static RpcException failed(String message, String reason, InstancePaths paths) {
        return new RpcException(ErrorCode.UNAVAILABLE, message, Map.of("reason", reason, "socket",
                paths.socket().toString()));
    }

    /**
     * The daemon's hello, or null when none answers (no socket, refused, closed before greeting); an error
     * greeting (UNAUTHORIZED, SHUTTING_DOWN, ...) is thrown as the RpcException CoreClient would throw.
     */
    private static Map<String, Object> greet(InstancePaths paths) {
        if (!Files.exists(paths.socket())) {
            return null; // one stat, as CoreClient's first check
        }
        try (LeanClient c = LeanClient.connect(paths, "cove-cli", QuickLane.version())) {
            return c.greeting();
        } catch (DaemonSocket.UntrustedServerException e) {
            throw e.toRpcException(); // served by another user: said as it is, never "start one"
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(Map<String, Object> hello, String key) {
        return hello.get(key) instanceof String s ? s : "";
    }

    private static long number(Map<String, Object> hello, String key) {
        return hello.get(key) instanceof Long n ? n : 0;
    }
}
