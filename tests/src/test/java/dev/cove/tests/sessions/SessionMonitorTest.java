package dev.cove.tests.sessions;

import dev.cove.api.events.EventOrigin;
import dev.cove.api.events.LogLevel;
import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.EndSession;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.Heartbeat;
import dev.cove.api.sessions.HeartbeatResult;
import dev.cove.api.sessions.ListSessions;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.Session;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionRegistered;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.api.sessions.Sessions;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.cove.tests.sessions.SessionTesting.EVENT_TIMEOUT;
import static dev.cove.tests.sessions.SessionTesting.await;
import static dev.cove.tests.sessions.SessionTesting.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hang and crash detection in a real daemon, with real processes. */
class SessionMonitorTest {
    @TempDir
    static Path tmp;
    static DaemonProcess daemon;
    static CoreClient client;
    static final String INSTANCE = "smon";
    static final long PID = ProcessHandle.current().pid();

    @BeforeAll
    static void start() {
        daemon = DaemonProcess.start(tmp.resolve("data"), INSTANCE);
        client = daemon.client();
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static List<String> eventNames(String id) {
        return client.call(new GetSession(id, 1000)).events().stream().map(SessionEvent::name).toList();
    }

    private static long count(List<String> names, String name) {
        return names.stream().filter(name::equals).count();
    }

    @Test
    void silenceLongerThanTheWindowIsOneHangEventAndAHeartbeatRecovers() {
        try (EventStream events = client.subscribe(EventFilter.of("app", "HangApp"), SessionEvent.class)) {
            SessionRegistered r = client.call(new RegisterSession("HangApp", "1", PID, null, 1000L, null));
            assertEquals(1000, r.hangWindowMillis());
            String id = r.sessionId();

            SessionEvent hung = await(events, named(id, SessionEvent.APPLICATION_APPEARS_HUNG), EVENT_TIMEOUT);
            assertEquals(EventOrigin.DAEMON, hung.origin());
            assertEquals(LogLevel.WARN, hung.level());
            assertTrue(((Number) hung.data().get("silentForMillis")).longValue() >= 1000, hung.data().toString());
            assertNotNull(hung.eventId(), "monitor events are stored");
            SessionDetail d = client.call(new GetSession(id));
            assertEquals(SessionStatus.HUNG, d.session().status());
            assertNotNull(d.session().hungSince());

            // stay silent for another full window: a second session with the same window hanging proves the
            // monitor looked at the first one for at least that long, and it must not have repeated itself
            String barrier = client.call(new RegisterSession("HangApp", "1", PID, null, 1000L, null)).sessionId();
            await(events, named(barrier, SessionEvent.APPLICATION_APPEARS_HUNG), EVENT_TIMEOUT);
            assertEquals(1, count(eventNames(id), SessionEvent.APPLICATION_APPEARS_HUNG));

            HeartbeatResult hb = client.call(new Heartbeat(id));
            assertTrue(hb.recovered());
            assertEquals(SessionStatus.ACTIVE, hb.status());
            SessionEvent rec = await(events, named(id, SessionEvent.APPLICATION_RECOVERED), EVENT_TIMEOUT);
            assertTrue(((Number) rec.data().get("hungForMillis")).longValue() >= 0, rec.data().toString());
            assertTrue(rec.eventId() > hung.eventId());
            d = client.call(new GetSession(id));
            assertEquals(SessionStatus.ACTIVE, d.session().status());
            assertNull(d.session().hungSince());
            assertEquals(List.of(SessionEvent.SESSION_REGISTERED, SessionEvent.APPLICATION_APPEARS_HUNG,
                    SessionEvent.APPLICATION_RECOVERED), eventNames(id));

            client.call(new EndSession(id, 0, null));
            client.call(new EndSession(barrier, 0, null));
        }
    }

    @Test
    void theClientLibrarysHeartbeatsKeepAShortWindowHappy() throws Exception {
        Sessions sessions = Sessions.of(client).withHangWindow(Duration.ofSeconds(2));
        try (EventStream events = client.subscribe(EventFilter.of("app", "BusyApp"), SessionEvent.class);
             Session busy = sessions.start("BusyApp", "1")) {
            AtomicBoolean running = new AtomicBoolean(true);
            Thread loop = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    busy.heartbeat(); // the app's main loop, about 60 times a second
                    try {
                        Thread.sleep(16);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            // a silent session started a little later with the same window: once it is reported hung,
            // the busy one has lived through more than a window too
            String silent = client.call(new RegisterSession("BusyApp", "1", PID, null, 2000L, null)).sessionId();
            await(events, named(silent, SessionEvent.APPLICATION_APPEARS_HUNG), EVENT_TIMEOUT);
            String barrier2 = client.call(new RegisterSession("BusyApp", "1", PID, null, 2000L, null)).sessionId();
            await(events, named(barrier2, SessionEvent.APPLICATION_APPEARS_HUNG), EVENT_TIMEOUT);
            running.set(false);
            loop.join();
            assertEquals(0, count(eventNames(busy.id()), SessionEvent.APPLICATION_APPEARS_HUNG),
                    "heartbeats from the loop kept the session active: " + eventNames(busy.id()));
            assertTrue(busy.stats().heartbeatsSent() < busy.stats().heartbeatCalls() / 4,
                    "heartbeats are rate-limited: " + busy.stats());
            client.call(new EndSession(silent, 0, null));
            client.call(new EndSession(barrier2, 0, null));
        }
    }

    @Test
    void aKilledApplicationIsReportedCrashedAtOnce() {
        try (SessionTesting.App app = SessionTesting.startApp(tmp.resolve("data"), INSTANCE, "loop", "CrashApp");
             EventStream events = client.subscribe(EventFilter.of("sessionId", app.sessionId()), SessionEvent.class)) {
            assertEquals("REPORTED", app.nextLine(Duration.ofSeconds(30)));
            assertEquals(SessionStatus.ACTIVE, client.call(new GetSession(app.sessionId())).session().status());
            long killedAt = System.nanoTime();
            SessionTesting.kill9(app.process());
            SessionEvent crash = await(events, named(app.sessionId(), SessionEvent.PARENT_PROCESS_CRASHED),
                    EVENT_TIMEOUT);
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.println("[sessions] parent_process_crashed " + latencyMs + " ms after kill -9");
            assertEquals(LogLevel.ERROR, crash.level());
            assertEquals(app.process().pid(), ((Number) crash.data().get("pid")).longValue());
            assertEquals("process_check", crash.data().get("detectedBy"));
            SessionDetail d = client.call(new GetSession(app.sessionId()));
            assertEquals(SessionStatus.CRASHED, d.session().status());
            assertNotNull(d.session().endedAt());
            assertTrue(d.session().endReason().contains(Long.toString(app.process().pid())), d.session().endReason());
            assertTrue(d.session().metricPoints() > 0, "what the app reported before dying is kept");
            assertEquals(1, count(eventNames(app.sessionId()), SessionEvent.PARENT_PROCESS_CRASHED));
        }
    }

    @Test
    void anApplicationThatEndsCleanlyIsNotACrashAndNeitherIsADroppedConnection() throws Exception {
        // a session whose reporting connection simply goes away while its process lives on
        String dropped;
        try (CoreClient other = daemon.clientBuilder().build()) {
            dropped = other.call(new RegisterSession("DropApp", "1", PID, null, 0L, null)).sessionId();
        }
        String clean;
        try (SessionTesting.App app = SessionTesting.startApp(tmp.resolve("data"), INSTANCE, "clean", "CleanApp")) {
            clean = app.sessionId();
            String done = app.nextLine(Duration.ofSeconds(30));
            assertTrue(done != null && done.startsWith("DONE"), "the app said " + done);
            assertTrue(app.process().waitFor(30, TimeUnit.SECONDS), "the app exits by itself");
            assertEquals(0, app.process().exitValue());
        }
        // barrier: a crash the monitor does see, after the clean app exited
        Process sleeper = SessionTesting.sleeper();
        try (EventStream events = client.subscribe(EventFilter.of("app", "BarrierApp"), SessionEvent.class)) {
            String barrier = client.call(new RegisterSession("BarrierApp", "1", sleeper.pid(), null, 0L, null))
                    .sessionId();
            SessionTesting.kill9(sleeper);
            await(events, named(barrier, SessionEvent.PARENT_PROCESS_CRASHED), EVENT_TIMEOUT);
        }
        SessionDetail d = client.call(new GetSession(clean, 100));
        assertEquals(SessionStatus.ENDED, d.session().status());
        assertEquals(0, d.session().exitStatus());
        List<String> names = d.events().stream().map(SessionEvent::name).toList();
        assertFalse(names.contains(SessionEvent.PARENT_PROCESS_CRASHED), names.toString());
        assertEquals(List.of(SessionEvent.SESSION_REGISTERED, "file_opened", "autosave_failed",
                SessionEvent.SESSION_ENDED), names);
        assertEquals(Map.of("size", 1234), d.events().get(1).data());
        assertEquals(LogLevel.WARN, d.events().get(2).level());
        assertEquals(Map.of("mode", "clean", "window", Map.of("open", List.of("w1"))), d.state());
        assertEquals(1000, d.session().metricPoints());
        assertEquals(1, client.call(new ListSessions("CleanApp", null, null, null, true, null, null)).sessions().size());
        assertTrue(client.call(new ListSessions("CleanApp", null, null, true, null, null, null)).sessions().isEmpty());

        SessionDetail dd = client.call(new GetSession(dropped));
        assertEquals(SessionStatus.ACTIVE, dd.session().status(), "a dropped connection alone is not a crash");
        client.call(new EndSession(dropped, 0, null));
    }
}
