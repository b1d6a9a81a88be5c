package dev.cove.tests.upstream;

import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.AppEvent;
import dev.cove.api.sessions.Metric;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.Report;
import dev.cove.api.upstream.GetUpstreamStatus;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing lost on the way upstream: outages, kill -9 and restarts; a bounded backlog that drops the
 * oldest records and counts them exactly; three "machines" forwarding to one receiver.
 */
class UpstreamDurabilityTest {
    static final long PID = ProcessHandle.current().pid();
    static final Duration WAIT = Duration.ofSeconds(60);
    static final int BATCH = 40;

    @TempDir
    Path tmp;

    /** The values of the gauge "seq" that reached the receiver for a session, duplicates included. */
    static List<Long> seqPoints(OtlpReceiver rx, String sessionId) {
        List<Long> out = new ArrayList<>();
        for (OtlpReceiver.ReceivedMetric m : rx.metrics) {
            if (sessionId.equals(m.resource().get("session.id")) && m.metric().getName().equals("seq")) {
                for (NumberDataPoint p : m.metric().getGauge().getDataPointsList()) {
                    out.add((long) p.getAsDouble());
                }
            }
        }
        return out;
    }

    /** The "i" of every "tick" event that reached the receiver, duplicates included. */
    static List<Long> ticks(OtlpReceiver rx, String sessionId) {
        List<Long> out = new ArrayList<>();
        for (OtlpReceiver.ReceivedLog l : rx.logs(sessionId, "tick")) {
            out.add(Long.parseLong(UpstreamOtlpTest.field(l.log().getBody(), "i")));
        }
        return out;
    }

    static void report(CoreClient c, String id, long i) {
        c.call(new Report(id, i, true, null, List.of(new AppEvent("tick", null, Map.of("i", i), null)),
                List.of(new Metric("seq", (double) i)), null), Duration.ofSeconds(10));
    }

    static int duplicates(List<Long> received) {
        return received.size() - new TreeSet<>(received).size();
    }

    /** The duplicated values, which must all lie within one batch. */
    static Set<Long> duplicated(List<Long> received) {
        Map<Long, Integer> n = new HashMap<>();
        received.forEach(v -> n.merge(v, 1, Integer::sum));
        Set<Long> out = new TreeSet<>();
        n.forEach((v, k) -> {
            if (k > 1) {
                out.add(v);
            }
        });
        return out;
    }

    @Test
    void nothingAcknowledgedIsLostThroughAnOutageAndKill9AndOnlyTheLastBatchIsSentTwice() throws Exception {
        Path data = tmp.resolve("data");
        try (OtlpReceiver rx = new OtlpReceiver(UpstreamOtlpTest.TOKEN)) {
            String cfg = UpstreamOtlpTest.config(tmp, rx, "durable-host", "cove.upstream.interval=200ms",
                    "cove.upstream.retry.max=300ms", "cove.upstream.batch.points=" + BATCH,
                    "cove.upstream.batch.log.records=" + BATCH).toString();
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            String id;
            AtomicLong next = new AtomicLong(1);
            try (DaemonProcess d = DaemonProcess.start(data, "updur", "--config", cfg)) {
                CoreClient c = d.client();
                id = c.call(new RegisterSession("DurableApp", "1", PID, null, 0L, null)).sessionId();
                // 1. receiver up
                for (; next.get() <= 100; next.incrementAndGet()) {
                    report(c, id, next.get());
                    acknowledged.add(next.get());
                }
                Await.until(WAIT, () -> new TreeSet<>(seqPoints(rx, id)).size() == 100
                        && new TreeSet<>(ticks(rx, id)).size() == 100, "the first 100 points and events upstream");
                Await.until(WAIT, () -> c.call(new GetUpstreamStatus()).backlogRecords() == 0, "backlog 0");

                // 2. receiver down: the backlog is exactly what was acknowledged since
                rx.down(true);
                for (; next.get() <= 200; next.incrementAndGet()) {
                    report(c, id, next.get());
                    acknowledged.add(next.get());
                }
                Await.until(WAIT, () -> UpstreamStatus.FAILING.equals(c.call(new GetUpstreamStatus()).state()), "failing");
                UpstreamStatus down = c.call(new GetUpstreamStatus());
                assertEquals(200, down.backlogRecords(), "100 points + 100 events wait: " + down);
                assertTrue(down.backlogBytes() > 0, down.toString());
                assertNotNull(down.oldestAgeMillis());
                assertTrue(down.lastError().contains("503"), down.lastError());
                assertEquals(100, new TreeSet<>(seqPoints(rx, id)).size(), "nothing got through while down");

                // 3. receiver up again; the daemon is killed while it catches up and while the app writes
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        for (; next.get() <= 400; next.incrementAndGet()) {
                            report(c, id, next.get());
                            acknowledged.add(next.get());
                        }
                    } catch (RpcException e) {
                        next.incrementAndGet(); // the daemon went: this one may or may not have been stored
                    }
                });
                rx.down(false);
                Await.until(WAIT, () -> new TreeSet<>(seqPoints(rx, id)).size() >= 120, "catching up");
                d.process().destroyForcibly();
                d.awaitExit(Duration.ofSeconds(10));
                writer.join(20_000);
            }
            long beforeRestart = next.get();
            try (DaemonProcess d = DaemonProcess.start(data, "updur", "--config", cfg)) {
                CoreClient c = d.client();
                for (long i = beforeRestart; i < beforeRestart + 50; i++) {
                    report(c, id, i);
                    acknowledged.add(i);
                }
                Await.until(WAIT, () -> new TreeSet<>(seqPoints(rx, id)).containsAll(acknowledged)
                                && new TreeSet<>(ticks(rx, id)).containsAll(acknowledged),
                        () -> "every acknowledged point and event upstream; missing points "
                                + missing(acknowledged, seqPoints(rx, id)) + ", events " + missing(acknowledged, ticks(rx, id)));
                Await.until(WAIT, () -> c.call(new GetUpstreamStatus()).backlogRecords() == 0, "backlog 0 at the end");
                UpstreamStatus end = c.call(new GetUpstreamStatus());
                assertEquals(0, end.droppedRecords());
                assertEquals(UpstreamStatus.IDLE, end.state());

                List<Long> points = seqPoints(rx, id);
                List<Long> events = ticks(rx, id);
                Set<Long> dupPoints = duplicated(points);
                Set<Long> dupEvents = duplicated(events);
                assertTrue(duplicates(points) <= BATCH, "at most one batch of points sent twice: " + dupPoints);
                assertTrue(duplicates(events) <= BATCH, "at most one batch of events sent twice: " + dupEvents);
                if (!dupPoints.isEmpty()) {
                    long span = ((TreeSet<Long>) dupPoints).last() - ((TreeSet<Long>) dupPoints).first();
                    assertTrue(span < BATCH, "the duplicated points are one batch: " + dupPoints);
                }
                if (!dupEvents.isEmpty()) {
                    long span = ((TreeSet<Long>) dupEvents).last() - ((TreeSet<Long>) dupEvents).first();
                    assertTrue(span < BATCH, "the duplicated events are one batch: " + dupEvents);
                }
                System.out.println("[upstream] nothing lost: " + acknowledged.size() + " acknowledged reports, "
                        + points.size() + " points and " + events.size() + " events received; duplicates after kill -9: "
                        + duplicates(points) + " points, " + duplicates(events) + " events (batch " + BATCH + ")");
            }
        }
    }

    static List<Long> missing(Set<Long> want, List<Long> got) {
        Set<Long> g = new TreeSet<>(got);
        return want.stream().filter(v -> !g.contains(v)).sorted().limit(20).toList();
    }

    @Test
    void aBoundedBacklogDropsTheOldestAndCountsThemExactly() throws Exception {
        try (OtlpReceiver rx = new OtlpReceiver(UpstreamOtlpTest.TOKEN)) {
            rx.down(true);
            String cfg = UpstreamOtlpTest.config(tmp, rx, "bounded-host", "cove.upstream.interval=100ms",
                    "cove.upstream.retry.max=200ms", "cove.upstream.backlog.max.records=50").toString();
            try (DaemonProcess d = DaemonProcess.start(tmp.resolve("data"), "upbound", "--config", cfg)) {
                CoreClient c = d.client();
                String id = c.call(new RegisterSession("BoundedApp", "1", PID, null, 0L, null)).sessionId();
                for (long i = 1; i <= 200; i++) {
                    c.call(new Report(id, i, true, null, null, List.of(new Metric("seq", (double) i)), null));
                }
                // 1 registration event + 200 points; 50 may wait: 151 dropped, oldest first
                Await.until(WAIT, () -> c.call(new GetUpstreamStatus()).droppedRecords() == 151,
                        () -> "151 dropped; " + c.call(new GetUpstreamStatus()));
                UpstreamStatus s = c.call(new GetUpstreamStatus());
                assertEquals(50, s.backlogRecords(), s.toString());
                assertEquals(150, s.droppedPoints());
                assertEquals(1, s.droppedEvents());
                assertEquals(50, s.maxRecords());
                assertTrue(d.log().contains("dropped the"), "the drop is logged");
                // more writes keep it at the bound: memory and disk for forwarding do not grow
                for (long i = 201; i <= 300; i++) {
                    c.call(new Report(id, i, true, null, null, List.of(new Metric("seq", (double) i)), null));
                }
                Await.until(WAIT, () -> c.call(new GetUpstreamStatus()).droppedRecords() == 251, "251 dropped");
                assertEquals(50, c.call(new GetUpstreamStatus()).backlogRecords());

                rx.down(false);
                Await.until(WAIT, () -> c.call(new GetUpstreamStatus()).backlogRecords() == 0, "sent");
                List<Long> got = seqPoints(rx, id);
                List<Long> want = new ArrayList<>();
                for (long i = 251; i <= 300; i++) {
                    want.add(i);
                }
                assertEquals(want, new ArrayList<>(new TreeSet<>(got)), "the newest 50 arrived, the oldest were dropped");
                assertEquals(50, got.size());
                assertTrue(rx.logs(id, SessionEvent.SESSION_REGISTERED).isEmpty(), "the registration was the oldest");
                assertEquals(251, c.call(new GetUpstreamStatus()).droppedRecords(), "drops are kept");
            }
            // the count survives a restart (it is in sessions.db)
            try (DaemonProcess d = DaemonProcess.start(tmp.resolve("data"), "upbound", "--config", cfg)) {
                assertEquals(251, d.client().call(new GetUpstreamStatus()).droppedRecords());
            }
        }
    }

    @Test
    void threeMachinesForwardToOneReceiverEachSessionAttributedToItsHost() throws Exception {
        try (OtlpReceiver rx = new OtlpReceiver(UpstreamOtlpTest.TOKEN)) {
            List<DaemonProcess> fleet = new ArrayList<>();
            Map<String, String> hostOf = new HashMap<>();
            try {
                for (int m = 1; m <= 3; m++) {
                    Path dir = tmp.resolve("machine" + m);
                    Files.createDirectories(dir);
                    String cfg = UpstreamOtlpTest.config(dir, rx, "machine-" + m, "cove.upstream.interval=200ms").toString();
                    fleet.add(DaemonProcess.start(dir.resolve("data"), "fleet" + m, "--config", cfg));
                }
                for (int m = 1; m <= 3; m++) {
                    CoreClient c = fleet.get(m - 1).client();
                    for (int s = 0; s < 2; s++) {
                        String id = c.call(new RegisterSession("FleetApp", "1." + m, PID, null, 0L, null)).sessionId();
                        c.call(new Report(id, 1L, true, null, null, List.of(new Metric("seq", (double) m)), null));
                        hostOf.put(id, "machine-" + m);
                    }
                }
                Await.until(WAIT, () -> hostOf.keySet().stream().allMatch(id -> !seqPoints(rx, id).isEmpty()
                        && !rx.logs(id, SessionEvent.SESSION_REGISTERED).isEmpty()), "six sessions upstream");
                for (var e : hostOf.entrySet()) {
                    for (OtlpReceiver.ReceivedLog l : rx.logs(e.getKey(), SessionEvent.SESSION_REGISTERED)) {
                        assertEquals(e.getValue(), l.resource().get("host.id"), e.getKey());
                    }
                    long m = seqPoints(rx, e.getKey()).get(0);
                    assertEquals("machine-" + m, e.getValue(), "the point came from its machine");
                    assertEquals("1." + m, rx.logs(e.getKey(), SessionEvent.SESSION_REGISTERED).get(0).resource()
                            .get("service.version"));
                }
                assertEquals(3, rx.logs.stream().map(l -> l.resource().get("host.id")).distinct().count());
            } finally {
                fleet.forEach(DaemonProcess::close);
            }
        }
    }
}
