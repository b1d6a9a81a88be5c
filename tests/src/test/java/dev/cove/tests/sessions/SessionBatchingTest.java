package dev.cove.tests.sessions;

import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.MetricBucket;
import dev.cove.api.sessions.MetricKind;
import dev.cove.api.sessions.MetricSeries;
import dev.cove.api.sessions.QueryMetrics;
import dev.cove.api.sessions.Session;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionStats;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.api.sessions.Sessions;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client-side batching: far fewer calls than the app makes, and none of its data lost. */
class SessionBatchingTest {
    @TempDir
    static Path tmp;

    private static double sum(MetricSeries s) {
        return s.buckets().stream().mapToDouble(b -> b.sum() == null ? 0 : b.sum()).sum();
    }

    @Test
    void aHundredThousandMetricsInASecondTakeAFewCallsAndAllArrive() {
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("a"), "sbatch")) {
            CoreClient client = d.client();
            Session s = Sessions.of(client).start("BatchApp", "1.0");
            long start = System.nanoTime();
            double expectedSum = 0;
            for (int i = 0; i < 100_000; i++) {
                s.metric("fps", i % 100);
                expectedSum += i % 100;
                if (i % 10 == 0) {
                    s.state(Map.of("frame", Map.of("thousands", i / 1000))); // mostly unchanged
                }
                if (i % 100 == 0) {
                    s.heartbeat();
                }
                if (i % 10_000 == 0) {
                    s.event("checkpoint", Map.of("i", i));
                }
                if (i % 1000 == 999) {
                    // pace the app to about 100,000 calls a second
                    long due = start + (i + 1) * 10_000L;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                }
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(s.flush(Duration.ofSeconds(30)), "everything was acknowledged: " + s.lastError());
            SessionStats st = s.stats();
            SessionDetail detail = client.call(new GetSession(s.id(), 100));
            System.out.printf("[sessions] batching: %,d app calls in %d ms (%,d metrics, %,d state, %,d heartbeats, %d events)"
                            + " -> %d daemon calls (%d reports; %,d state calls were no-ops and dropped at once); "
                            + "daemon counted %d calls%n",
                    st.appCalls(), elapsedMs, st.metricCalls(), st.stateCalls(), st.heartbeatCalls(), st.eventCalls(),
                    st.daemonCalls(), st.reports(), st.stateUnchanged(), detail.session().calls());

            assertEquals(100_000, st.pointsSent());
            assertEquals(100_000, detail.session().metricPoints());
            assertTrue(st.daemonCalls() <= 60, "batched into few calls: " + st);
            assertTrue(st.appCalls() / st.daemonCalls() >= 1000, "at least 1000x fewer calls: " + st);
            assertEquals(st.daemonCalls(), detail.session().calls(), "the daemon saw exactly the calls sent");
            assertTrue(st.stateUnchanged() >= 9_800, "unchanged state is dropped client-side: " + st);
            assertTrue(st.statePatches() <= 100, st.toString());

            MetricSeries fps = client.call(new QueryMetrics(s.id(), "fps", null, null, null, null, 10));
            assertEquals(100_000, fps.count());
            assertEquals(expectedSum, sum(fps), 1e-6);
            assertEquals(0.0, fps.buckets().stream().filter(b -> b.count() > 0).mapToDouble(MetricBucket::min).min()
                    .orElseThrow());
            assertEquals(99.0, fps.buckets().stream().filter(b -> b.count() > 0).mapToDouble(MetricBucket::max).max()
                    .orElseThrow());
            assertEquals(Map.of("frame", Map.of("thousands", 99)), detail.state());
            assertEquals(10, detail.events().stream().filter(e -> e.name().equals("checkpoint")).count());
            s.close();
            assertEquals(SessionStatus.ENDED, client.call(new GetSession(s.id())).session().status());
        }
    }

    @Test
    void manyThreadsAtOnceLoseNothing() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("b"), "sbatch2")) {
            CoreClient client = d.client();
            try (Session s = Sessions.of(client).withFlushInterval(Duration.ofMillis(50)).start("ThreadsApp", "1")) {
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int n = t;
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < 25_000; i++) {
                            s.metric("work", 1, MetricKind.COUNTER, null, Map.of("thread", "t" + n));
                            if (i % 500 == 0) {
                                s.state(Map.of("threads", Map.of("t" + n, i)));
                                s.event("progress", Map.of("thread", n, "i", i));
                            }
                        }
                        s.state(Map.of("threads", Map.of("t" + n, "done")));
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }
                assertTrue(s.flush(Duration.ofSeconds(30)), String.valueOf(s.lastError()));
                for (int t = 0; t < 4; t++) {
                    MetricSeries m = client.call(new QueryMetrics(s.id(), "work", Map.of("thread", "t" + t), null, null,
                            null, 1));
                    assertEquals(25_000, m.count(), "thread t" + t);
                    assertEquals(MetricKind.COUNTER, m.kind());
                }
                SessionDetail detail = client.call(new GetSession(s.id(), 1000));
                assertEquals(Map.of("threads", Map.of("t0", "done", "t1", "done", "t2", "done", "t3", "done")),
                        detail.state());
                assertEquals(200, detail.events().stream().filter(e -> e.name().equals("progress")).count());
                assertEquals(4, detail.metrics().size(), "one series per tag set");
            }
        }
    }

    @Test
    void aDaemonKilledAndRestartedMidStreamCostsNoDataAndNoDuplicates() throws Exception {
        Path data = tmp.resolve("c");
        DaemonProcess first = DaemonProcess.start(data, "sbatch3");
        DaemonProcess second = null;
        CoreClient client = first.clientBuilder().build();
        try {
            Session s = Sessions.of(client).withFlushInterval(Duration.ofMillis(20)).start("RestartApp", "1");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong counted = new AtomicLong();
            Thread app = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    s.count("ticks");
                    s.state(Map.of("ticks", counted.incrementAndGet()));
                    if (counted.get() % 64 == 0) {
                        try {
                            Thread.sleep(1); // pacing: well under the client's buffer limit while the daemon is down
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            Await.until(Duration.ofSeconds(30), () -> s.stats().reports() >= 10, "ten reports delivered");
            first.process().destroyForcibly();
            first.awaitExit(Duration.ofSeconds(10));
            long atKill = counted.get();
            second = DaemonProcess.start(data, "sbatch3");
            long reportsBefore = s.stats().reports();
            Await.until(Duration.ofSeconds(30), () -> s.stats().reports() >= reportsBefore + 5,
                    "reports flowing again after the restart");
            running.set(false);
            app.join();
            assertTrue(s.flush(Duration.ofSeconds(30)), "flushed after the restart: " + s.lastError());
            long total = counted.get();
            MetricSeries ticks = client.call(new QueryMetrics(s.id(), "ticks", null, null, null, null, 1));
            SessionDetail detail = client.call(new GetSession(s.id()));
            System.out.printf("[sessions] restart: %,d ticks (%,d before the kill), %,d stored, %d reports, %d failed calls%n",
                    total, atKill, ticks.count(), s.stats().reports(), s.stats().failedCalls());
            assertEquals(total, ticks.count(), "every tick arrived exactly once");
            assertEquals((double) total, sum(ticks), 1e-6);
            assertEquals(total, ((Number) detail.state().get("ticks")).longValue());
            assertTrue(s.stats().failedCalls() >= 1, "the kill was noticed: " + s.stats());
            assertEquals(SessionStatus.ACTIVE, detail.session().status());
            s.close();
            assertEquals(SessionStatus.ENDED, client.call(new GetSession(s.id())).session().status());
            assertTrue(detail.events().stream().noneMatch(e -> e.name().equals(SessionEvent.PARENT_PROCESS_CRASHED)));
        } finally {
            client.close();
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void closingWithTheDaemonGoneGivesUpWithinItsTimeoutAndSaysWhatWasLost() {
        DaemonProcess d = DaemonProcess.start(tmp.resolve("d"), "sbatch4");
        try (CoreClient client = d.clientBuilder().build()) {
            Session s = Sessions.of(client).withCloseTimeout(Duration.ofSeconds(1)).start("GoneApp", "1");
            d.process().destroyForcibly();
            d.awaitExit(Duration.ofSeconds(10));
            for (int i = 0; i < 500; i++) {
                s.metric("x", i);
            }
            s.event("last", Map.of());
            long t0 = System.nanoTime();
            s.close();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5_000, "close gave up after its timeout, took " + ms + " ms");
            assertEquals(501, s.stats().dropped(), s.stats().toString());
            assertTrue(s.stats().failedCalls() >= 1 && s.stats().failedCalls() < 30,
                    "retried with back-off, not in a spin: " + s.stats());
            assertTrue(s.lastError() != null, "the last error is kept");
        } finally {
            d.close();
        }
    }
}
