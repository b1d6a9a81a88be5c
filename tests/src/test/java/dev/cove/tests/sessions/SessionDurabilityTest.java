package dev.cove.tests.sessions;

import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.AppEvent;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.LogEvent;
import dev.cove.api.sessions.Metric;
import dev.cove.api.sessions.MetricSeries;
import dev.cove.api.sessions.QueryMetrics;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.Report;
import dev.cove.api.sessions.ReportResult;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every write the daemon acknowledged survives kill -9 of the daemon the instant after the reply. */
class SessionDurabilityTest {
    @TempDir
    static Path tmp;
    static final long PID = ProcessHandle.current().pid();

    private static void kill9(DaemonProcess d) {
        d.process().destroyForcibly();
        d.awaitExit(Duration.ofSeconds(10));
    }

    @Test
    void acknowledgedReportsSurviveKill9AndDeadAppsAreMarkedCrashedOnRestart() {
        Path data = tmp.resolve("a");
        String id;
        String orphan;
        Process sleeper = SessionTesting.sleeper();
        try (DaemonProcess d = DaemonProcess.start(data, "sdur")) {
            CoreClient c = d.client();
            id = c.call(new RegisterSession("DurableApp", "3.0", PID, null, 0L, Map.of("boot", true))).sessionId();
            orphan = c.call(new RegisterSession("OrphanApp", "1", sleeper.pid(), null, 0L, null)).sessionId();
            for (int i = 1; i <= 200; i++) {
                ReportResult r = c.call(new Report(id, (long) i, true, Map.of("counter", i, "last", Map.of("i", i)),
                        List.of(new AppEvent("step", null, Map.of("i", i), null)),
                        List.of(new Metric("m", (double) i)), null));
                assertEquals(1, r.events());
            }
            c.call(new LogEvent(id, "last_words", null, Map.of("n", 200), null));
            kill9(d); // right after the last acknowledged write
        }
        SessionTesting.kill9(sleeper); // the orphan's app dies while no daemon watches

        try (DaemonProcess d = DaemonProcess.start(data, "sdur")) {
            CoreClient c = d.client();
            SessionDetail s = c.call(new GetSession(id, 1000));
            assertEquals(SessionStatus.ACTIVE, s.session().status(), "its process still runs");
            assertEquals(Map.of("boot", true, "counter", 200, "last", Map.of("i", 200)), s.state());
            assertEquals(201, s.session().stateVersion());
            List<SessionEvent> steps = s.events().stream().filter(e -> e.name().equals("step")).toList();
            assertEquals(200, steps.size());
            for (int i = 0; i < 200; i++) {
                assertEquals(i + 1, ((Number) steps.get(i).data().get("i")).intValue());
            }
            assertEquals("last_words", s.events().get(s.events().size() - 1).name());
            assertEquals(200, s.session().metricPoints());
            MetricSeries m = c.call(new QueryMetrics(id, "m"));
            assertEquals(200, m.count());
            assertEquals(200 * 201 / 2, m.buckets().stream().mapToDouble(b -> b.sum() == null ? 0 : b.sum()).sum());
            // the last batch number survived too: a retry of batch 200 is recognised
            ReportResult again = c.call(new Report(id, 200L, false, null, List.of(new AppEvent("step", null, null, null)),
                    null, null));
            assertTrue(again.duplicate());
            assertEquals(200, c.call(new GetSession(id, 1000)).events().stream().filter(e -> e.name().equals("step"))
                    .count());

            SessionDetail o = c.call(new GetSession(orphan));
            assertEquals(SessionStatus.CRASHED, o.session().status());
            SessionEvent crash = o.events().get(o.events().size() - 1);
            assertEquals(SessionEvent.PARENT_PROCESS_CRASHED, crash.name());
            assertEquals("daemon_start", crash.data().get("detectedBy"));
            assertTrue(String.valueOf(crash.data().get("note")).contains("while no daemon was watching"),
                    crash.data().toString());
        }
    }

    @Test
    void concurrentWritersLoseNothingAcknowledgedWhenTheDaemonIsKilledMidStream() throws Exception {
        Path data = tmp.resolve("b");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        String id;
        try (DaemonProcess d = DaemonProcess.start(data, "sdur2")) {
            CoreClient c = d.client();
            id = c.call(new RegisterSession("RaceApp", "1", PID, null, 0L, null)).sessionId();
            AtomicInteger failures = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; ; i++) {
                        String name = "w" + thread + "-" + i;
                        try {
                            c.call(new LogEvent(id, name, null, null, null), Duration.ofSeconds(10));
                            acknowledged.add(name);
                        } catch (RpcException e) {
                            failures.incrementAndGet();
                            return; // the daemon is gone: this write may or may not have landed
                        }
                    }
                }));
            }
            Await.until(Duration.ofSeconds(60), () -> acknowledged.size() >= 300, "300 acknowledged writes");
            kill9(d);
            for (Thread w : writers) {
                w.join(20_000);
            }
            assertEquals(4, failures.get(), "every writer saw the daemon go");
        }
        try (DaemonProcess d = DaemonProcess.start(data, "sdur2")) {
            SessionDetail s = d.client().call(new GetSession(id, 10_000));
            Set<String> stored = ConcurrentHashMap.newKeySet();
            s.events().forEach(e -> stored.add(e.name()));
            List<String> lost = acknowledged.stream().filter(n -> !stored.contains(n)).sorted().toList();
            assertTrue(lost.isEmpty(), lost.size() + " acknowledged writes were lost: " + lost);
            System.out.println("[sessions] kill -9 with 4 writers: " + acknowledged.size() + " acknowledged, "
                    + (s.events().size() - 1) + " stored, none lost");
        }
    }
}
