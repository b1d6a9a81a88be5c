package dev.cove.tests.sessions;

import dev.cove.api.events.SessionEvent;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Small helpers for the sessions tests: awaiting session events, and child application processes. */
final class SessionTesting {
    /** Generous: the machine is small and shared with other test runs. */
    static final Duration EVENT_TIMEOUT = Duration.ofSeconds(20);

    private SessionTesting() {
    }

    /** Reads the stream until an event matches; fails with every event seen if none does in time. */
    static SessionEvent await(EventStream stream, Predicate<SessionEvent> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen = new ArrayList<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching SessionEvent within " + timeout.toMillis() + " ms; seen: " + seen);
                }
                StreamItem item = stream.poll(Duration.ofNanos(left));
                if (item instanceof StreamItem.Delivered d && d.event() instanceof SessionEvent e) {
                    if (p.test(e)) {
                        return e;
                    }
                    seen.add(e.name() + "@" + e.sessionId());
                } else if (item instanceof StreamItem.Ended end) {
                    throw new AssertionError("the event stream ended (" + end.reason() + "); seen: " + seen);
                } else if (item != null) {
                    seen.add(item.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static Predicate<SessionEvent> named(String sessionId, String name) {
        return e -> e.sessionId().equals(sessionId) && e.name().equals(name);
    }

    /** A running {@link SessionApp} and the session id it printed. */
    record App(Process process, String sessionId, BufferedReader out) implements AutoCloseable {
        String nextLine(Duration timeout) {
            return readLine(process, out, timeout);
        }

        @Override
        public void close() {
            Reaper.kill(process.toHandle());
        }
    }

    /** Starts {@link SessionApp} against an instance and waits for its "SESSION id" line. */
    static App startApp(Path dataDir, String instance, String mode, String app) {
        List<String> cmd = Jvm.testMainCommand(SessionApp.class, List.of(dataDir.toString(), instance, mode, app));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Reaper.register(p.toHandle());
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = readLine(p, out, Duration.ofSeconds(30));
            if (line == null || !line.startsWith("SESSION ")) {
                Reaper.kill(p.toHandle());
                throw new AssertionError("SessionApp printed '" + line + "' instead of its session id");
            }
            return new App(p, line.substring("SESSION ".length()).trim(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readLine(Process p, BufferedReader out, Duration timeout) {
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("process " + p.pid() + " printed nothing within " + timeout.toSeconds() + " s");
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("reading from process " + p.pid() + " failed", e);
        }
    }

    /** A process that only sleeps: a stand-in application whose pid can be killed. */
    static Process sleeper() {
        try {
            Process p = new ProcessBuilder("sleep", "120").start();
            Reaper.register(p.toHandle());
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kill -9, and wait until the kernel says it is gone. */
    static void kill9(Process p) {
        p.destroyForcibly(); // SIGKILL on Unix
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("process " + p.pid() + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Reaper.unregister(p.toHandle());
    }
}
