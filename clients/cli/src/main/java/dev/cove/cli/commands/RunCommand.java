package dev.cove.cli.commands;

import dev.cove.api.Cove;
import dev.cove.api.sessions.Session;
import dev.cove.api.sessions.Sessions;
import dev.cove.cli.CoveCli;
import dev.cove.cli.RunsLocally;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cove run [--app NAME] [--version V] -- COMMAND ARGS...}: runs any program as an application session.
 *
 * <p>The session is registered with the pid of this wrapper, which outlives the program, and the program's pid
 * goes in the state. Registering the program's own pid was tried first: its pid is free the instant it exits,
 * before the wrapper can end the session, so the daemon's 200 ms process check recorded clean exits as crashes
 * (one run in three of {@code CoveRunTest}). Now a program that dies of a signal nobody sent through the wrapper
 * (a SIGKILL, a segfault) makes the wrapper exit without ending the session, and the daemon records
 * {@code parent_process_crashed} when the wrapper's pid goes; every other exit ends the session with its
 * status, and so does a death by SIGINT, SIGHUP or SIGTERM (asked to stop: Ctrl-C is recorded as ended (130)). The wrapper exits with the program's status, 128+N when a signal N killed it, as a shell reports it.
 *
 * <p>Signals: Java cannot wait for a signal or send an arbitrary one, so SIGTERM, SIGINT and SIGHUP get
 * {@code sun.misc.Signal} handlers (the JVM then no longer exits on them) that pass them to the program: SIGTERM
 * through {@link ProcessHandle#destroy()}, the others through {@code kill -s SIG PID}. A terminal sends Ctrl-C
 * and its hangup to the whole foreground process group, the program included: when this process is in the
 * terminal's foreground group ({@code /proc/self/stat}: pgrp == tpgid) SIGINT and SIGHUP are not passed again,
 * so the program sees each once.
 */
@RunsLocally
@Command(name = "run", sortOptions = false,
        description = {
                "Run a program as an application session, with no change to the program: the session ends",
                "with its exit status (Ctrl-C: ended (130); a SIGKILL or a crash shows as parent_process_crashed)",
                "and `cove sessions list` shows it. Starts a daemon if none runs.",
                "The exit status is the program's (128+N after signal N); SIGTERM, SIGINT and SIGHUP reach it."},
        footer = {"%nExample: cove run --app backup --heartbeat-from stdout --hang-window 120 -- ./backup.sh /data"})
public final class RunCommand implements java.util.concurrent.Callable<Integer> {
    /** Status for a command that cannot be started, as a shell reports it (126: found but not executable). */
    static final int NOT_FOUND = 127;
    static final int NOT_EXECUTABLE = 126;

    enum Stream { stdout, stderr }

    @ParentCommand
    CoveCli cove;

    @Option(names = "--app", paramLabel = "NAME", description = "The session's application name (default: the command's file name).")
    String app;

    @Option(names = "--version", paramLabel = "V", description = "The application's version, shown with the session.")
    String version;

    @Option(names = "--events-from", paramLabel = "STREAM", split = ",",
            description = "Record each line the program writes to stdout and/or stderr as an `output` event (at most "
                    + "--lines-per-second, each cut to 1,000 characters). The output still reaches the terminal.")
    List<Stream> eventsFrom = new ArrayList<>();

    @Option(names = "--heartbeat-from", paramLabel = "STREAM", split = ",",
            description = "Count each line on stdout and/or stderr as a heartbeat, so a program that stops printing "
                    + "for the hang window is reported hung. Without it, hang detection is off for the session.")
    List<Stream> heartbeatFrom = new ArrayList<>();

    @Option(names = "--hang-window", paramLabel = "SECONDS",
            description = "With --heartbeat-from: silence after which the program counts as hung (default: the "
                    + "daemon's, 60 s).")
    Double hangWindowSeconds;

    @Option(names = "--lines-per-second", paramLabel = "N", defaultValue = "20",
            description = "Most output lines recorded as events per second, with bursts of 5 times that "
                    + "(default: 20); the rest are counted in an `output_dropped` event.")
    int linesPerSecond;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A label stored with the session (repeatable).")
    Map<String, String> tags = new LinkedHashMap<>();

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The program and its arguments, after `--`.")
    List<String> command;

    private CoreClient client;
    /** Signals this wrapper received (passed on to the program or, from a terminal, already sent to it too). */
    private final Set<String> received = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public Integer call() throws InterruptedException {
        Set<Stream> capture = EnumSet.noneOf(Stream.class);
        capture.addAll(eventsFrom);
        capture.addAll(heartbeatFrom);
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(capture.contains(Stream.stdout) ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT)
                .redirectError(capture.contains(Stream.stderr) ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            cove.err().println("cove run: cannot run " + command.get(0) + ": " + reason(e));
            return Files.exists(Path.of(command.get(0))) ? NOT_EXECUTABLE : NOT_FOUND;
        }
        List<Runnable> restore = installForwarding(child);
        try {
            Session session = register(child);
            List<Thread> pumps = new ArrayList<>();
            OutputEvents events = session == null ? null : new OutputEvents(session, linesPerSecond);
            if (capture.contains(Stream.stdout)) {
                pumps.add(pump(child.getInputStream(), new FileOutputStream(FileDescriptor.out), Stream.stdout, session, events));
            }
            if (capture.contains(Stream.stderr)) {
                pumps.add(pump(child.getErrorStream(), new FileOutputStream(FileDescriptor.err), Stream.stderr, session, events));
            }
            int status = child.waitFor();
            for (Thread t : pumps) {
                t.join(2000); // a grandchild may hold the pipe open after the child is gone
            }
            if (session != null) {
                if (events != null) {
                    events.finish();
                }
                finish(session, status);
            }
            return status;
        } finally {
            restore.forEach(Runnable::run);
        }
    }

    private static String reason(IOException e) {
        String m = String.valueOf(e.getMessage());
        int i = m.indexOf("error=");
        return i >= 0 ? m.substring(i) : m;
    }

    /** Registers the session; null (with a warning) when no daemon can take it: the program runs regardless. */
    private Session register(Process child) {
        String name = app != null ? app : Path.of(command.get(0)).getFileName().toString();
        CoreClient.Builder b = cove.clientBuilder().clientName("cove-run", Cove.VERSION);
        DaemonLauncher launcher = DaemonLauncher.fromEnvironment(cove.env());
        if (launcher != null) {
            b.autoStart(launcher);
        }
        client = b.build();
        Duration window = heartbeatFrom.isEmpty() ? Duration.ZERO
                : hangWindowSeconds == null ? null : Duration.ofMillis(Math.round(hangWindowSeconds * 1000));
        Sessions sessions = Sessions.of(client).withTags(tags).withHangWindow(window).withEndOnShutdown(false)
                .withCloseTimeout(Duration.ofSeconds(3));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("command", command);
        state.put("pid", child.pid());
        try {
            return sessions.start(name, version, state);
        } catch (RpcException e) {
            cove.err().println("cove run: the program runs without a session: " + e.getMessage());
            cove.err().flush();
            client.close();
            return null;
        } catch (IllegalArgumentException e) {
            client.close();
            throw new dev.cove.cli.CliException(dev.cove.cli.ExitCodes.USAGE, e.getMessage());
        }
    }

    private void finish(Session session, int status) {
        int signal = status > 128 && status <= 128 + 64 ? status - 128 : 0;
        try {
            if (signal == 0) {
                session.end(status, null);
            } else if (STOP_SIGNALS.contains(signalName(signal))) {
                // Asked to stop, not crashed. Whether this wrapper saw the signal too cannot decide it: Ctrl-C
                // reaches the program and the wrapper together, and the program's death can be seen before the
                // wrapper's handler has run (the JVM dispatches signals on a thread of its own).
                String name = "SIG" + signalName(signal);
                session.end(status, received.contains(signalName(signal)) ? "stopped by " + name + " sent to cove run"
                        : "stopped by " + name);
            } else {
                // died of a signal nobody asked for: this process exits without ending the session, and the daemon,
                // seeing the registered pid gone, records parent_process_crashed
                session.flush(Duration.ofSeconds(3));
            }
        } finally {
            client.close();
        }
    }

    /** Signals that ask a program to stop (Ctrl-C, hang-up, termination): a death by one of them is an end. */
    private static final Set<String> STOP_SIGNALS = Set.of("INT", "HUP", "TERM");

    private static String signalName(int n) {
        return switch (n) {
            case 1 -> "HUP";
            case 2 -> "INT";
            case 3 -> "QUIT";
            case 6 -> "ABRT";
            case 9 -> "KILL";
            case 11 -> "SEGV";
            case 13 -> "PIPE";
            case 15 -> "TERM";
            default -> Integer.toString(n);
        };
    }

    // ---- signals ----

    @SuppressWarnings("removal")
    private List<Runnable> installForwarding(Process child) {
        List<Runnable> restore = new ArrayList<>();
        for (String sig : List.of("TERM", "INT", "HUP")) {
            sun.misc.Signal signal = new sun.misc.Signal(sig);
            try {
                sun.misc.SignalHandler previous = sun.misc.Signal.handle(signal, s -> forward(child, sig));
                restore.add(() -> sun.misc.Signal.handle(signal, previous));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // reserved by the JVM (-Xrs): that signal then stops this process as usual, and the child with it
            }
        }
        return restore;
    }

    private void forward(Process child, String sig) {
        received.add(sig);
        if (!sig.equals("TERM") && inTerminalForeground()) {
            return; // the terminal sent it to our whole process group, the child included
        }
        if (sig.equals("TERM")) {
            child.toHandle().destroy();
            return;
        }
        try {
            new ProcessBuilder("kill", "-s", sig, Long.toString(child.pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            cove.err().println("cove run: cannot pass SIG" + sig + " to pid " + child.pid() + ": " + e.getMessage());
        }
    }

    /** Whether this process is in its terminal's foreground process group (Linux; false elsewhere). */
    private static boolean inTerminalForeground() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state ppid pgrp session tty_nr tpgid
            long pgrp = Long.parseLong(f[2]);
            long tpgid = Long.parseLong(f[5]);
            return tpgid > 0 && tpgid == pgrp;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // ---- output ----

    private Thread pump(InputStream in, OutputStream out, Stream stream, Session session, OutputEvents events) {
        boolean heartbeats = heartbeatFrom.contains(stream) && session != null;
        boolean lines = eventsFrom.contains(stream) && events != null;
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    try {
                        out.write(buf, 0, n);
                        out.flush();
                    } catch (IOException e) {
                        // our own output is closed (`cove run ... | head`): keep draining so the child is not blocked
                    }
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            if (heartbeats) {
                                session.heartbeat();
                            }
                            if (lines) {
                                events.line(stream, line.toString(StandardCharsets.UTF_8));
                            }
                            line.reset();
                        } else if (line.size() < OutputEvents.MAX_LINE * 4) {
                            line.write(buf[i]);
                        }
                    }
                }
                if (line.size() > 0 && lines) {
                    events.line(stream, line.toString(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the child closed its end
            }
        }, "cove-run-" + stream);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Output lines as events, by a token bucket: {@code perSecond} on average, bursts of five times that. */
    static final class OutputEvents {
        static final int MAX_LINE = 1000;
        private final Session session;
        private final double perSecond;
        private final double burst;
        private double tokens;
        private long last = System.nanoTime();
        private final Map<Stream, Long> dropped = new java.util.EnumMap<>(Stream.class);
        private final Object lock = new Object();

        OutputEvents(Session session, int perSecond) {
            this.session = session;
            this.perSecond = Math.max(0, perSecond);
            this.burst = Math.max(1, perSecond * 5.0);
            this.tokens = burst;
        }

        void line(Stream stream, String text) {
            synchronized (lock) {
                long now = System.nanoTime();
                tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
                last = now;
                if (tokens < 1) {
                    dropped.merge(stream, 1L, Long::sum);
                    return;
                }
                tokens -= 1;
                reportDropped();
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("stream", stream.name());
            boolean cut = text.length() > MAX_LINE;
            data.put("line", cut ? text.substring(0, MAX_LINE) : text);
            if (cut) {
                data.put("truncated", true);
            }
            session.event("output", data);
        }

        private void reportDropped() {
            dropped.forEach((s, n) -> session.event("output_dropped", Map.of("stream", s.name(), "lines", n)));
            dropped.clear();
        }

        void finish() {
            synchronized (lock) {
                reportDropped();
            }
        }
    }
}
