package dev.cove.tests.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.core.Ping;
import dev.cove.api.events.LogLevel;
import dev.cove.api.events.LogMessage;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.SharedDaemon;
import dev.cove.tests.support.RawClient;
import dev.cove.tests.support.TestPlugin;
import dev.cove.tests.support.plugin.Burst;
import dev.cove.tests.support.plugin.BurstDone;
import dev.cove.tests.support.plugin.LogLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Event subscriptions: filters, sequence numbers, and a slow subscriber that lags alone. */
class SubscriptionTest {
    /** Far above the daemon's per-subscriber queue (4096 events). */
    static final int BURST = 50_000;
    static final String BURST_TARGET = "tests.burst";

    @RegisterExtension
    static final SharedDaemon DAEMON = SharedDaemon.withTestPlugin("default");

    @Test
    void filteredLogSubscriptionsGetOnlyMatchingLines() throws Exception {
        CoreClient client = DAEMON.daemon().client();
        EventStream warnOnly = client.subscribe(EventFilter.of("level", "warn"), LogMessage.class);
        EventStream pluginTarget = client.subscribe(EventFilter.of("target", "tests.support.plugin", "level", "debug"),
                LogMessage.class);
        EventStream unfiltered = client.subscribe(EventFilter.NONE, LogMessage.class);
        RawClient raw = DAEMON.daemon().raw();
        raw.send(Map.of("id", 1, "type", "subscribe", "events", List.of("LogMessage"),
                "filter", Map.of("level", "warn", "target", "tests")));
        JsonNode rawOk = raw.awaitId(1);
        assertEquals("ok", rawOk.path("type").asText(), rawOk.toString());
        long rawSub = rawOk.path("payload").path("subscription").asLong();

        String tag = "lines-" + System.nanoTime();
        assertEquals(TestPlugin.LOGGER, client.call(new LogLines(tag)).logger());
        String debug = tag + " debug";
        String info = tag + " info";
        String warn = tag + " warn";

        // level >= warn: our warn line arrives, and nothing below warn came before it (events arrive in order)
        List<LogMessage> w = readUntil(warnOnly, m -> m.message().equals(warn));
        for (LogMessage m : w) {
            assertTrue(m.level().compareTo(LogLevel.WARN) >= 0, "below warn on a warn subscription: " + m);
        }
        assertEquals(TestPlugin.LOG_TARGET, w.getLast().target());
        assertEquals(LogLevel.WARN, w.getLast().level());

        // the plugin's target at debug: exactly our three lines, in order, nothing from elsewhere
        List<LogMessage> t = readUntil(pluginTarget, m -> m.message().equals(warn));
        for (LogMessage m : t) {
            assertTrue(m.target().startsWith("tests.support.plugin"), "another target came through: " + m);
        }
        assertEquals(List.of(debug, info, warn), t.stream().map(LogMessage::message).toList());
        assertEquals(List.of(LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN), t.stream().map(LogMessage::level).toList());

        // unfiltered: sees the info line (and the daemon's own lines)
        List<LogMessage> u = readUntil(unfiltered, m -> m.message().equals(warn));
        assertTrue(u.stream().anyMatch(m -> m.message().equals(info) && m.level() == LogLevel.INFO),
                "the unfiltered subscriber sees the info line: " + u);

        // the same on the wire, as JSON: warn and above from targets under "tests", numbered from 1
        long seq = 0;
        while (true) {
            JsonNode ev = raw.next(Duration.ofSeconds(15));
            assertNotNull(ev, "the raw subscriber's connection closed");
            assertEquals("event", ev.path("type").asText(), ev.toString());
            assertEquals(rawSub, ev.path("sub").asLong());
            assertEquals(++seq, ev.path("seq").asLong(), ev.toString());
            assertEquals("LogMessage", ev.path("event").asText());
            assertEquals("json", ev.path("encoding").asText());
            JsonNode m = ev.path("payload");
            assertTrue(m.path("level").asText().equals("WARN") || m.path("level").asText().equals("ERROR"), ev.toString());
            assertTrue(m.path("target").asText().startsWith("tests."), ev.toString());
            assertFalse(m.path("message").asText().equals(info) || m.path("message").asText().equals(debug), ev.toString());
            if (m.path("message").asText().equals(warn)) {
                assertEquals(TestPlugin.LOG_TARGET, m.path("target").asText());
                break;
            }
        }
        raw.close();

        // unsubscribing ends the stream with an end frame
        warnOnly.close();
        StreamItem end = warnOnly.poll(Duration.ofSeconds(10));
        while (end instanceof StreamItem.Delivered) {
            end = warnOnly.poll(Duration.ofSeconds(10));
        }
        StreamItem.Ended ended = assertInstanceOf(StreamItem.Ended.class, end);
        assertEquals("unsubscribed", ended.reason());
        pluginTarget.close();
        unfiltered.close();
    }

    @Test
    void anEventPublishedAfterTheSubscribeOkIsNeverMissed() {
        // the client holds its ok, then causes an event through another connection: that event is its first
        try (RawClient sub = DAEMON.daemon().raw(); RawClient trigger = DAEMON.daemon().raw()) {
            for (int i = 0; i < 150; i++) {
                String target = "tests.ordering." + i;
                sub.send(Map.of("id", "s" + i, "type", "subscribe", "events", List.of("LogMessage"),
                        "filter", Map.of("target", target)));
                JsonNode ok = sub.awaitId("s" + i);
                assertEquals("ok", ok.path("type").asText(), ok.toString());
                long subId = ok.path("payload").path("subscription").asLong();
                JsonNode done = trigger.call(i, "action:test.burst.input.v1",
                        Map.of("count", 1, "batch", 1, "pauseMicros", 0, "target", target));
                assertEquals("ok", done.path("type").asText(), done.toString());
                JsonNode ev = sub.next(Duration.ofSeconds(10));
                assertNotNull(ev);
                assertEquals("event", ev.path("type").asText(), "round " + i + ": the first frame after the ok is "
                        + "the event published after it: " + ev);
                assertEquals(subId, ev.path("sub").asLong());
                assertEquals(1, ev.path("seq").asLong());
                assertEquals(target, ev.path("payload").path("target").asText());
                sub.send(Map.of("id", "u" + i, "type", "unsubscribe", "sub", subId));
                assertEquals("ok", sub.awaitId("u" + i).path("type").asText());
                JsonNode end = sub.awaitFrame(f -> f.path("type").asText().equals("end"), Duration.ofSeconds(10));
                assertEquals("unsubscribed", end.path("reason").asText());
            }
        }
    }

    /**
     * Runs a smaller burst through the same paths first (Kryo and JSON encoding, a lagging raw
     * subscriber), so that the test measures subscribers, not a cold JIT: a cold daemon on a 2-core
     * machine can stall its event path for half a second, longer than a 4096-event queue lasts.
     */
    private static void warmUp() throws InterruptedException {
        String target = "tests.warmup";
        try (CoreClient warm = DAEMON.daemon().clientBuilder().streamBuffer(30_000).build();
             EventStream w = warm.subscribe(EventFilter.of("target", target), LogMessage.class);
             RawClient lagging = DAEMON.daemon().raw()) {
            lagging.send(Map.of("id", 1, "type", "subscribe", "events", List.of("LogMessage"),
                    "filter", Map.of("target", target)));
            assertEquals("ok", lagging.awaitId(1).path("type").asText());
            warm.call(new Burst(20_000, 50, 1000, target));
            long accounted = 0; // the cold path may lag here; that is what the warm-up is for
            while (accounted < 20_000) {
                StreamItem item = w.poll(Duration.ofSeconds(20));
                assertNotNull(item, "warm-up events stopped at " + accounted);
                accounted += item instanceof StreamItem.Lagged l ? l.missed() : 1;
            }
            long seq = 0;
            while (seq < 20_000) {
                JsonNode f = lagging.next(Duration.ofSeconds(20));
                assertNotNull(f, "warm-up: the lagging subscriber's connection closed");
                seq = f.path("seq").asLong();
            }
        }
    }

    /** Reads delivered LogMessages until one matches; fails on a gap or the end of the stream. */
    static List<LogMessage> readUntil(EventStream s, Predicate<LogMessage> last) throws InterruptedException {
        List<LogMessage> seen = new ArrayList<>();
        long prevSeq = 0;
        while (true) {
            StreamItem item = s.poll(Duration.ofSeconds(15));
            assertNotNull(item, "no matching event within 15 s; saw " + seen);
            StreamItem.Delivered d = assertInstanceOf(StreamItem.Delivered.class, item, "after " + seen);
            if (prevSeq != 0) {
                assertEquals(prevSeq + 1, d.seq(), "consecutive sequence numbers");
            }
            prevSeq = d.seq();
            LogMessage m = assertInstanceOf(LogMessage.class, d.event(), "decoded as a record");
            seen.add(m);
            if (last.test(m)) {
                return seen;
            }
        }
    }

    @Test
    void slowSubscriberIsToldWhatItMissedWhileAFastOneKeepsUp() throws Exception {
        EventFilter burstOnly = EventFilter.of("target", BURST_TARGET);
        // the fast subscriber: a client whose local buffer can hold the whole burst
        CoreClient fastClient = DAEMON.daemon().track(DAEMON.daemon().clientBuilder().streamBuffer(BURST + 100).build());
        EventStream fast = fastClient.subscribe(burstOnly, LogMessage.class);
        warmUp();
        // the slow subscriber: a raw socket that reads nothing until the burst is over
        RawClient slow = DAEMON.daemon().raw();
        slow.send(Map.of("id", "sub", "type", "subscribe", "events", List.of("LogMessage"),
                "filter", Map.of("target", BURST_TARGET)));
        JsonNode ok = slow.awaitId("sub");
        assertEquals("ok", ok.path("type").asText(), ok.toString());
        long slowSub = ok.path("payload").path("subscription").asLong();

        // other calls keep being served all through the burst
        CoreClient other = DAEMON.daemon().client();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong served = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread pinger = new Thread(() -> {
            while (!stop.get() && failures.size() < 100) {
                try {
                    if (other.call(new Ping()).pid() == DAEMON.daemon().pid()) {
                        served.incrementAndGet();
                    }
                    Thread.sleep(2); // a steady trickle of calls, not a CPU hog competing with the burst
                } catch (Throwable e) {
                    failures.add(e);
                }
            }
        });
        pinger.start();
        try {
            burstAndCheck(fast, slow, slowSub, served, failures);
        } finally {
            stop.set(true);
            pinger.join(10_000);
        }
        assertTrue(failures.isEmpty(), "calls failed during the burst: " + failures);
        slow.close();
        fast.close();
    }

    private static void burstAndCheck(EventStream fast, RawClient slow, long slowSub, AtomicLong served,
                                      ConcurrentLinkedQueue<Throwable> failures) throws InterruptedException {
        long servedBefore;
        BurstDone done;
        try (CoreClient trigger = DAEMON.daemon().clientBuilder().build()) {
            Await.until(Duration.ofSeconds(10), () -> served.get() > 0, "first pings");
            servedBefore = served.get();
            done = trigger.call(new Burst(BURST, 25, 1250, BURST_TARGET)); // paced: at most 20,000 events/s
        }
        assertEquals(BURST, done.published());
        long servedDuring = served.get() - servedBefore;

        // fast: every event, seq 1..N, nothing missed
        for (int i = 1; i <= BURST; i++) {
            StreamItem item = fast.poll(Duration.ofSeconds(20));
            assertNotNull(item, "fast subscriber: event " + i + " did not arrive");
            if (!(item instanceof StreamItem.Delivered d)) {
                throw new AssertionError("fast subscriber got " + item + " at event " + i + " (burst took "
                        + done.millis() + " ms)");
            }
            assertEquals(i, d.seq(), "fast subscriber's sequence");
            assertEquals("burst " + i, ((LogMessage) d.event()).message());
        }
        assertEquals(null, fast.poll(Duration.ofMillis(200)), "nothing beyond the burst");

        // slow: delivered events plus reported misses account for every event, with consistent seqs
        long delivered = 0;
        long missed = 0;
        int laggedFrames = 0;
        long seq = 0;
        while (seq < BURST) {
            JsonNode f = slow.next(Duration.ofSeconds(20));
            assertNotNull(f, "slow subscriber's connection closed at seq " + seq);
            assertEquals(slowSub, f.path("sub").asLong(), f.toString());
            switch (f.path("type").asText()) {
                case "event" -> {
                    assertEquals(seq + 1, f.path("seq").asLong(), "event after seq " + seq + ": " + f);
                    assertEquals("burst " + f.path("seq").asLong(), f.path("payload").path("message").asText());
                    delivered++;
                    seq++;
                }
                case "lagged" -> {
                    long m = f.path("missed").asLong();
                    assertTrue(m > 0, f.toString());
                    assertEquals(seq + m, f.path("seq").asLong(), "lagged seq is the last missed one: " + f);
                    missed += m;
                    laggedFrames++;
                    seq += m;
                }
                default -> throw new AssertionError("unexpected frame " + f);
            }
        }
        assertEquals(BURST, seq);
        assertEquals(BURST, delivered + missed);
        assertTrue(laggedFrames >= 1, "the slow subscriber was told it lagged");
        assertTrue(missed >= BURST - 4096 - 5_000, "most of the burst overflowed the queue: missed " + missed);
        assertTrue(delivered >= 4096, "a full queue was delivered: " + delivered);

        assertTrue(failures.isEmpty(), "calls failed during the burst: " + failures);
        assertTrue(servedDuring > 0, "calls were served during the burst");
        // the slow subscriber's connection still works once it reads again
        JsonNode pong = slow.call("after", "query:core.ping.v1", Map.of());
        assertEquals("ok", pong.path("type").asText(), pong.toString());
    }
}
