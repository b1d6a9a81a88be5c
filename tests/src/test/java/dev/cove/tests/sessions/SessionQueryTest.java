package dev.cove.tests.sessions;

import dev.cove.api.events.LogLevel;
import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.EndSession;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.ListSessions;
import dev.cove.api.sessions.LogEvent;
import dev.cove.api.sessions.LogMetrics;
import dev.cove.api.sessions.Metric;
import dev.cove.api.sessions.MetricBucket;
import dev.cove.api.sessions.MetricKind;
import dev.cove.api.sessions.MetricSeries;
import dev.cove.api.sessions.MetricSeriesInfo;
import dev.cove.api.sessions.QueryMetrics;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionInfo;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.cove.tests.sessions.SessionTesting.EVENT_TIMEOUT;
import static dev.cove.tests.sessions.SessionTesting.await;
import static dev.cove.tests.sessions.SessionTesting.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading sessions back: list filters, recent events, metric series and buckets, event filters. */
class SessionQueryTest {
    @TempDir
    static Path tmp;
    static DaemonProcess daemon;
    static CoreClient client;
    static final long PID = ProcessHandle.current().pid();
    static String active;
    static String ended;
    static String crashed;
    static String hung;
    static Instant afterEnd;

    @BeforeAll
    static void start() {
        daemon = DaemonProcess.start(tmp.resolve("data"), "squery");
        client = daemon.client();
        try (EventStream events = client.subscribe(EventFilter.NONE, SessionEvent.class)) {
            ended = client.call(new RegisterSession("QApp", "1", PID, null, 0L, null)).sessionId();
            client.call(new EndSession(ended, 0, null));
            afterEnd = Instant.now().plusMillis(1);
            Process sleeper = SessionTesting.sleeper();
            crashed = client.call(new RegisterSession("Other", "1", sleeper.pid(), null, 0L, null)).sessionId();
            SessionTesting.kill9(sleeper);
            await(events, named(crashed, SessionEvent.PARENT_PROCESS_CRASHED), EVENT_TIMEOUT);
            hung = client.call(new RegisterSession("QApp", "1", PID, null, 100L, null)).sessionId();
            await(events, named(hung, SessionEvent.APPLICATION_APPEARS_HUNG), EVENT_TIMEOUT);
            active = client.call(new RegisterSession("QApp", "2", PID, Map.of("env", "test"), 0L, null)).sessionId();
        }
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static Set<String> ids(ListSessions q) {
        return client.call(q).sessions().stream().map(SessionInfo::sessionId).collect(Collectors.toSet());
    }

    @Test
    void listFiltersByAppStatusAndTime() {
        assertEquals(Set.of(active, hung, ended), ids(new ListSessions("QApp", null, null, null, null, null, null)));
        assertEquals(Set.of(active, hung), ids(new ListSessions("QApp", true, null, null, null, null, null)),
                "hung sessions are still active");
        assertEquals(Set.of(active), ids(new ListSessions("QApp", true, false, null, null, null, null)));
        assertEquals(Set.of(hung), ids(new ListSessions(null, null, true, null, null, null, null)));
        assertEquals(Set.of(crashed), ids(new ListSessions(null, null, null, true, null, null, null)));
        assertEquals(Set.of(ended), ids(new ListSessions(null, null, null, null, true, null, null)));
        assertEquals(Set.of(ended, crashed), ids(new ListSessions(null, null, null, true, true, null, null)),
                "status flags add up");
        assertEquals(Set.of(ended), ids(new ListSessions("QApp", false, null, null, null, null, null)));
        Set<String> since = ids(new ListSessions(null, null, null, null, null, afterEnd, null));
        assertTrue(since.containsAll(Set.of(active, hung, crashed)) && !since.contains(ended),
                "since: alive at some point after the instant: " + since);
        List<SessionInfo> newest = client.call(new ListSessions("QApp", null, null, null, null, null, 1)).sessions();
        assertEquals(List.of(active), newest.stream().map(SessionInfo::sessionId).toList());
        SessionInfo a = newest.get(0);
        assertEquals("2", a.version());
        assertEquals(Map.of("env", "test"), a.tags());
        assertEquals(PID, a.pid());
    }

    @Test
    void getShowsRecentEventsOldestFirst() {
        String id = client.call(new RegisterSession("EventsApp", "1", PID, null, 0L, null)).sessionId();
        for (int i = 0; i < 60; i++) {
            client.call(new LogEvent(id, "e" + i, i % 2 == 0 ? LogLevel.INFO : LogLevel.ERROR, Map.of("i", i), null));
        }
        SessionDetail d = client.call(new GetSession(id, 10));
        assertEquals(10, d.events().size());
        assertEquals("e50", d.events().get(0).name());
        assertEquals("e59", d.events().get(9).name());
        assertEquals(61, d.session().events(), "counts the registration too");
        assertEquals(50, client.call(new GetSession(id)).events().size(), "50 by default");
    }

    @Test
    void subscribersFilterBySessionAndMinimumLevel() {
        String id = client.call(new RegisterSession("LevelApp", "1", PID, null, 0L, null)).sessionId();
        try (EventStream errors = client.subscribe(EventFilter.of("sessionId", id, "level", "warn"), SessionEvent.class)) {
            client.call(new LogEvent(id, "fine", LogLevel.INFO, null, null));
            client.call(new LogEvent(id, "bad", LogLevel.ERROR, null, null));
            SessionEvent first = await(errors, e -> true, EVENT_TIMEOUT);
            assertEquals("bad", first.name(), "the INFO event is filtered out");
        }
    }

    @Test
    void metricSeriesAndBuckets() {
        String id = client.call(new RegisterSession("MetricApp", "1", PID, null, 0L, null)).sessionId();
        long base = (System.currentTimeMillis() / 10_000) * 10_000 - 60_000; // aligned, in the past
        List<Metric> points = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Instant t = Instant.ofEpochMilli(base + i * 10L);
            points.add(new Metric("latency", (double) i % 100, MetricKind.TIMER, "ms", Map.of("route", "a"), t));
            points.add(new Metric("latency", 1000.0 + i, MetricKind.TIMER, "ms", Map.of("route", "b"), t));
        }
        assertEquals(2000, client.call(new LogMetrics(id, points, null)).points());

        MetricSeries a = client.call(new QueryMetrics(id, "latency", Map.of("route", "a"), null, null, 1000L, null));
        assertEquals(1000, a.intervalMillis());
        assertEquals(Instant.ofEpochMilli(base), a.from());
        assertEquals(10, a.buckets().size());
        assertEquals(1000, a.count());
        assertEquals(MetricKind.TIMER, a.kind());
        assertEquals("ms", a.unit());
        MetricBucket b0 = a.buckets().get(0);
        assertEquals(100, b0.count());
        assertEquals(0.0, b0.min());
        assertEquals(99.0, b0.max());
        assertEquals(49.5, b0.avg());
        assertEquals(94.0, b0.p95(), "nearest-rank p95 of 0..99");
        assertEquals(4950.0, b0.sum());

        MetricSeries both = client.call(new QueryMetrics(id, "latency", null, null, null, null, 4));
        assertEquals(4, both.buckets().size());
        assertEquals(2000, both.count(), "without tags every series of the name is folded in");
        assertEquals(2000, both.buckets().stream().mapToLong(MetricBucket::count).sum());

        MetricSeries window = client.call(new QueryMetrics(id, "latency", Map.of("route", "b"),
                Instant.ofEpochMilli(base + 2000), Instant.ofEpochMilli(base + 3000), 500L, null));
        assertEquals(2, window.buckets().size());
        assertEquals(100, window.count());
        assertEquals(1200.0, window.buckets().get(0).min());

        List<MetricSeriesInfo> series = client.call(new GetSession(id)).metrics();
        assertEquals(2, series.size());
        MetricSeriesInfo sa = series.stream().filter(s -> s.tags().equals(Map.of("route", "a"))).findFirst()
                .orElseThrow();
        assertEquals(1000, sa.count());
        assertEquals(99.0, sa.lastValue());
        assertEquals(Instant.ofEpochMilli(base + 9990), sa.last());
        assertEquals(49.5, sa.avg(), 1e-9);
        assertEquals(Duration.ofMillis(9990), Duration.between(sa.first(), sa.last()));
    }
}
