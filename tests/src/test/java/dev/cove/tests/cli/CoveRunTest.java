package dev.cove.tests.cli;

import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.ListSessions;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionInfo;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.api.sessions.Sessions;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cove run}: real CLI processes wrapping real programs, against a real daemon. */
class CoveRunTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    DaemonProcess daemon;
    Cli cli;
    Sessions sessions;
    Process running;

    @BeforeEach
    void setUp() {
        daemon = DaemonProcess.start(tmp.resolve("data"));
        cli = new Cli(tmp.resolve("data"));
        CoreClient client = daemon.client();
        sessions = Sessions.of(client);
    }

    @AfterEach
    void tearDown() {
        if (running != null) {
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
        }
        daemon.close();
    }

    private SessionInfo only(String app) {
        List<SessionInfo> found = sessions.list(new ListSessions(app, null, null, null, null, null, null)).sessions();
        assertEquals(1, found.size(), "one session of " + app + ": " + found);
        return found.get(0);
    }

    private SessionInfo awaitSession(String app) {
        Await.until(WAIT, () -> !sessions.list(new ListSessions(app, null, null, null, null, null, null))
                .sessions().isEmpty(), "a session of " + app);
        return only(app);
    }

    private SessionInfo awaitStatus(String app, SessionStatus status) {
        Await.until(WAIT, () -> only(app).status() == status, () -> app + " " + status + ": " + only(app));
        return only(app);
    }

    private List<String> eventNames(String sessionId) {
        return sessions.get(sessionId).events().stream().map(SessionEvent::name).toList();
    }

    private int exit(Process p) throws InterruptedException {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cove run finished: " + cli.output(p));
        return p.exitValue();
    }

    @Test
    void theProgramsExitStatusIsTheWrappersAndEndsTheSession() throws Exception {
        Process p = cli.spawn("run", "--app", "seven", "--version", "2.0", "--", "sh", "-c", "echo hi; exit 7");
        assertEquals(7, exit(p), cli.output(p).toString());
        assertEquals("hi\n", cli.output(p).out(), "the program's output passes through");
        SessionInfo s = only("seven");
        assertEquals(SessionStatus.ENDED, s.status());
        assertEquals(7, s.exitStatus());
        assertEquals("2.0", s.version());
        assertTrue(eventNames(s.sessionId()).containsAll(List.of("session_registered", "session_ended")));

        Process missing = cli.spawn("run", "--", tmp.resolve("no-such-program").toString());
        assertEquals(127, exit(missing), "as a shell reports a missing command");
        assertTrue(cli.output(missing).err().contains("cannot run"), cli.output(missing).toString());
    }

    @Test
    void aProgramKilledBySigkillIsReportedCrashed() throws Exception {
        Path pidFile = tmp.resolve("victim.pid");
        running = cli.spawn("run", "--app", "victim", "--", "sh", "-c", "echo $$ > " + pidFile + "; exec sleep 600");
        SessionInfo s = awaitSession("victim");
        Await.until(WAIT, () -> Files.exists(pidFile) && !read(pidFile).isEmpty(), "the pid file");
        long pid = Long.parseLong(read(pidFile));
        assertEquals(running.pid(), s.pid(), "the session is the wrapper's, which outlives the program");
        assertEquals(pid, ((Number) sessions.get(s.sessionId()).state().get("pid")).longValue(), "the program's pid");
        assertEquals(SessionStatus.ACTIVE, s.status());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
        assertEquals(137, exit(running), "128 + 9, as a shell reports it");
        awaitStatus("victim", SessionStatus.CRASHED);
        assertTrue(eventNames(s.sessionId()).contains("parent_process_crashed"), eventNames(s.sessionId()).toString());
    }

    @Test
    void sigtermToTheWrapperReachesTheProgram() throws Exception {
        running = cli.spawn("run", "--app", "trapper", "--", "sh", "-c",
                "trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.05; done");
        awaitSession("trapper");
        Await.until(WAIT, () -> cli.output(running).out().contains("ready"), "the program to start");
        running.destroy(); // SIGTERM to the wrapper's JVM
        assertEquals(42, exit(running), cli.output(running).toString());
        assertTrue(cli.output(running).out().contains("got TERM"), "the program saw the signal: " + cli.output(running));
        SessionInfo s = only("trapper");
        assertEquals(SessionStatus.ENDED, s.status());
        assertEquals(42, s.exitStatus());

        // a program that dies of the signal it was passed was stopped, not crashed
        Process plain = cli.spawn("run", "--app", "plain", "--", "sleep", "600");
        running = plain;
        awaitSession("plain");
        plain.destroy();
        assertEquals(143, exit(plain), cli.output(plain).toString());
        SessionInfo p = only("plain");
        assertEquals(SessionStatus.ENDED, p.status(), p.toString());
        assertEquals(143, p.exitStatus());
        assertTrue(p.endReason().contains("SIGTERM"), p.endReason());
    }

    @Test
    void sighupAndSigintReachTheProgramToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Cli.canRestoreCtrlC(), "env --default-signal is missing (coreutils < 8.31)");
        for (String sig : List.of("HUP", "INT")) {
            String app = "trap-" + sig.toLowerCase();
            // with SIGINT at its default, as in a terminal: a background launch hands it down ignored, and a
            // shell cannot trap a signal ignored on entry
            running = cli.spawnWithCtrlC("run", "--app", app, "--", "sh", "-c",
                    "trap 'echo got " + sig + "; exit 40' " + sig + "; echo ready; while :; do sleep 0.05; done");
            awaitSession(app);
            Process p = running;
            Await.until(WAIT, () -> cli.output(p).out().contains("ready"), "the program to start");
            Process kill = new ProcessBuilder("kill", "-s", sig, Long.toString(p.pid())).start();
            assertEquals(0, kill.waitFor());
            assertEquals(40, exit(p), cli.output(p).toString());
            assertTrue(cli.output(p).out().contains("got " + sig), cli.output(p).toString());
            assertEquals(40, only(app).exitStatus());
        }
    }

    /**
     * Ctrl-C typed on a real terminal: the terminal sends SIGINT to the wrapper and the program together, so the
     * wrapper does not pass it on, and the program's death by it was recorded as a crash (issue 19).
     */
    @Test
    void ctrlCOnATerminalEndsTheSessionWith130() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Cli.canRestoreCtrlC(), "env --default-signal is missing (coreutils < 8.31)");
        running = cli.spawnInTerminal("run", "--app", "typed", "--", "sleep", "600");
        SessionInfo s = awaitSession("typed");
        try (var keyboard = running.getOutputStream()) {
            keyboard.write(3); // ^C: the terminal's line discipline turns it into SIGINT for the foreground group
            keyboard.flush();
            assertEquals(130, exit(running), "128 + SIGINT, as a shell reports it: " + cli.output(running));
        }
        SessionInfo ended = awaitStatus("typed", SessionStatus.ENDED);
        assertEquals(130, ended.exitStatus(), ended.toString());
        assertTrue(ended.endReason().contains("SIGINT"), ended.endReason());
        assertFalse(eventNames(s.sessionId()).contains("parent_process_crashed"), eventNames(s.sessionId()).toString());
    }

    /** The same from a script: SIGINT to the whole process group of a wrapper in a session of its own. */
    @Test
    void sigintToTheProcessGroupEndsTheSessionWith130() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Cli.canRestoreCtrlC(), "env --default-signal is missing (coreutils < 8.31)");
        running = cli.spawnInOwnGroup("run", "--app", "grouped", "--", "sleep", "600");
        SessionInfo s = awaitSession("grouped");
        Process kill = new ProcessBuilder("kill", "-s", "INT", "--", "-" + running.pid()).inheritIO().start();
        assertEquals(0, kill.waitFor(), "setsid made the wrapper its group's leader");
        assertEquals(130, exit(running), cli.output(running).toString());
        SessionInfo ended = awaitStatus("grouped", SessionStatus.ENDED);
        assertEquals(130, ended.exitStatus(), ended.toString());
        assertFalse(eventNames(s.sessionId()).contains("parent_process_crashed"), eventNames(s.sessionId()).toString());
    }

    @Test
    void aProgramThatStopsPrintingIsReportedHungWithHeartbeatFrom() throws Exception {
        running = cli.spawn("run", "--app", "ticker", "--heartbeat-from", "stdout", "--hang-window", "1", "--", "sh",
                "-c", "for i in 1 2 3 4 5 6; do echo tick; sleep 0.25; done; echo stuck; sleep 600");
        SessionInfo s = awaitSession("ticker");
        assertEquals(1000, s.hangWindowMillis());
        Await.until(WAIT, () -> cli.output(running).out().contains("stuck"), "the program to stop printing");
        awaitStatus("ticker", SessionStatus.HUNG);
        List<String> names = eventNames(s.sessionId());
        assertTrue(names.contains("application_appears_hung"), names.toString());
        SessionDetail d = sessions.get(s.sessionId());
        assertTrue(d.session().lastHeartbeat() != null, "the ticks were heartbeats");
        assertTrue(cli.output(running).out().startsWith("tick\ntick\n"), "output still passes through");
    }

    @Test
    void withoutHeartbeatFromASilentProgramIsNotHung() throws Exception {
        Process p = cli.spawn("run", "--app", "quiet", "--", "sh", "-c", "sleep 1.5");
        assertEquals(0, exit(p));
        SessionInfo s = only("quiet");
        assertEquals(0, s.hangWindowMillis(), "hang detection is off: nothing could heartbeat");
        assertFalse(eventNames(s.sessionId()).contains("application_appears_hung"));
    }

    @Test
    void linesOfStderrBecomeEventsBoundedInRate() throws Exception {
        Process p = cli.spawn("run", "--app", "chatty", "--events-from", "stderr", "--lines-per-second", "1", "--",
                "sh", "-c", "for i in $(seq 1 20); do echo line$i >&2; done; echo done");
        assertEquals(0, exit(p), cli.output(p).toString());
        Cli.Result out = cli.output(p);
        assertEquals("done\n", out.out());
        assertTrue(out.err().startsWith("line1\nline2\n") && out.err().contains("line20\n"),
                "stderr still passes through: " + out);
        SessionInfo s = only("chatty");
        List<SessionEvent> events = sessions.get(s.sessionId()).events();
        List<String> lines = events.stream().filter(e -> e.name().equals("output"))
                .map(e -> String.valueOf(e.data().get("line"))).toList();
        // a burst of 5 (5 x 1 per second), then the rate; the loop takes far less than a second
        assertTrue(lines.size() >= 5 && lines.size() <= 7, lines.toString());
        assertEquals(List.of("line1", "line2", "line3", "line4", "line5"), lines.subList(0, 5));
        long dropped = events.stream().filter(e -> e.name().equals("output_dropped"))
                .mapToLong(e -> ((Number) e.data().get("lines")).longValue()).sum();
        assertEquals(20, lines.size() + dropped, "every line is an event or counted as dropped: " + events);
        assertEquals("stderr", events.stream().filter(e -> e.name().equals("output")).findFirst().orElseThrow()
                .data().get("stream"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
