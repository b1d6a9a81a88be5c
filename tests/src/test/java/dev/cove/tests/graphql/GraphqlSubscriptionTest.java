package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.graphql.GraphqlServer;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.TestPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subscriptions over graphql-transport-ws: daemon events end to end, and the protocol's rules. */
class GraphqlSubscriptionTest {
    @RegisterExtension
    static final GraphqlRig rig = new GraphqlRig("gql-subs");

    /** The daemon's count of live subscriptions (the server's own watch included). */
    private static int daemonSubscriptions() {
        return rig.data("{ coreStatus { subscriptions } }").path("coreStatus").path("subscriptions").asInt();
    }

    /** Waits until the daemon has {@code expected} live subscriptions: the only sign that a subscribe took hold. */
    private static void awaitSubscriptions(int expected) {
        int[] seen = {-1};
        Await.until(GraphqlRig.WAIT, () -> (seen[0] = daemonSubscriptions()) == expected,
                () -> expected + " daemon subscriptions (last seen " + seen[0] + ")");
    }

    private static WsClient open() {
        return WsClient.open(rig.http, rig.ws(), rig.init());
    }

    @Test
    void jobUpdatesFollowACopyToItsEnd() throws Exception {
        Path src = rig.dir().resolve("copy-src/big.bin");
        Files.createDirectories(src.getParent());
        byte[] block = new byte[1 << 20];
        new Random(5).nextBytes(block);
        long size = 30L << 20; // 1.5 s at the rig's 20 MiB/s cap: several progress updates
        try (OutputStream out = Files.newOutputStream(src)) {
            for (long w = 0; w < size; w += block.length) {
                out.write(block);
            }
        }
        Path dst = Files.createDirectories(rig.dir().resolve("copy-dst"));
        int before = daemonSubscriptions();
        try (WsClient ws = open()) {
            ws.subscribe("jobs", "subscription { jobUpdate(kind: COPY) { jobId kind state done total bytes bytesTotal "
                    + "bytesPerSecond time counts { copied skipped overwritten renamed } } }", null);
            awaitSubscriptions(before + 1);
            JsonNode job = rig.data("mutation($s: [String!]!, $d: String!) { filesCopy(sources: $s, destination: $d) "
                    + "{ id state bytesTotal } }", Map.of("s", List.of(src.toString()), "d", dst.toString())).path("filesCopy");
            long jobId = job.path("id").asLong();
            List<JsonNode> updates = new ArrayList<>();
            JsonNode last;
            do {
                JsonNode m = ws.next();
                assertEquals("next", m.path("type").asText(), m.toString());
                assertEquals("jobs", m.path("id").asText());
                last = m.path("payload").path("data").path("jobUpdate");
                assertFalse(m.path("payload").has("errors"), m.toString());
                if (last.path("jobId").asLong() == jobId) {
                    updates.add(last);
                }
            } while (last.path("jobId").asLong() != jobId || !last.path("state").asText().equals("COMPLETED"));
            assertEquals(size, last.path("bytes").asLong(), last.toString());
            assertEquals(size, last.path("bytesTotal").asLong());
            assertEquals(1, last.path("counts").path("copied").asLong(), "what the copy did, in the schema: " + last);
            assertEquals(0, last.path("counts").path("skipped").asLong(), last.toString());
            assertTrue(updates.stream().anyMatch(u -> u.path("state").asText().equals("RUNNING")
                    && u.path("bytes").asLong() > 0 && u.path("bytes").asLong() < size), "progress mid-way: " + updates);
            assertEquals(size, Files.size(dst.resolve("big.bin")));

            ws.send(Map.of("id", "jobs", "type", "complete"));
            awaitSubscriptions(before); // the daemon subscription went with it
        }
    }

    @Test
    void logMessagesWithLevelAndTargetFilters() {
        int before = daemonSubscriptions();
        try (WsClient ws = open()) {
            ws.subscribe("logs", "subscription($t: String!) { logMessage(target: $t, level: INFO) { level target message } }",
                    Map.of("t", TestPlugin.LOG_TARGET));
            awaitSubscriptions(before + 1);
            rig.data("mutation { testLog(tag: \"gql\") { logger } }");
            JsonNode first = ws.next().path("payload").path("data").path("logMessage");
            JsonNode second = ws.next().path("payload").path("data").path("logMessage");
            assertEquals("INFO", first.path("level").asText(), first.toString());
            assertEquals("gql info", first.path("message").asText());
            assertEquals("WARN", second.path("level").asText());
            assertEquals("gql warn", second.path("message").asText());
            assertEquals(TestPlugin.LOG_TARGET, first.path("target").asText());
        }
    }

    @Test
    void oneSubscriptionCanCarrySeveralEventTypes() {
        int before = daemonSubscriptions();
        try (WsClient ws = open()) {
            ws.subscribe("mix", "subscription($t: String!) { events(types: [\"LibraryChanged\", \"LogMessage\"], target: $t, "
                    + "level: WARN) { __typename ... on LibraryChanged { name change } ... on LogMessage { level message } } }",
                    Map.of("t", TestPlugin.LOG_TARGET));
            awaitSubscriptions(before + 1);
            rig.data("mutation { librariesCreate(name: \"Mixed\") { id } }");
            rig.data("mutation { testLog(tag: \"mix\") { logger } }");
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                JsonNode e = ws.next().path("payload").path("data").path("events");
                seen.add(e.path("__typename").asText() + ":" + e.path("name").asText(e.path("message").asText()));
            }
            assertTrue(seen.contains("LibraryChanged:Mixed") && seen.contains("LogMessage:mix warn"), seen.toString());

            // a subscription that fails to start is an execution result (as graphql-ws sends it): next, then complete
            ws.subscribe("bad", "subscription { events(types: [\"NoSuchEvent\"]) { __typename } }", null);
            JsonNode err = ws.next();
            assertEquals("next", err.path("type").asText(), err.toString());
            assertEquals("INVALID_INPUT", err.path("payload").path("errors").path(0).path("extensions").path("code").asText(),
                    err.toString());
            assertEquals("complete", ws.next().path("type").asText());
        }
    }

    /**
     * A burst far larger than the daemon's per-subscriber queue: whatever is lost is reported, so the
     * events delivered plus {@code extensions.lagged.missed} add up to the events published.
     */
    @Test
    void eventsLostToABurstAreCountedNotHidden() {
        int burst = 30_000;
        int before = daemonSubscriptions();
        try (WsClient ws = open()) {
            ws.subscribe("flood", "subscription { logMessage(target: \"gqlburst\") { target } }", null);
            awaitSubscriptions(before + 1);
            rig.data("mutation($n: Int!) { testBurst(count: $n, batch: 1000, pauseMicros: 0, target: \"gqlburst.a\") "
                    + "{ published } }", Map.of("n", burst));
            // Events after the burst, so that a loss at its tail is reported too (a loss is reported with the next
            // event that gets through). Under load the first of them can be lost as well: one more goes out each
            // 200 ms, numbered, until one arrives; those lost before it count as missed like the burst's.
            java.util.concurrent.atomic.AtomicInteger ends = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean seen = new java.util.concurrent.atomic.AtomicBoolean();
            Thread markers = Thread.ofVirtual().start(() -> {
                while (!seen.get() && ends.get() < 100) {
                    rig.data("mutation { testBurst(count: 1, batch: 1, pauseMicros: 0, target: \"gqlburst.end"
                            + ends.incrementAndGet() + "\") { published } }");
                    try {
                        Thread.sleep(200); // the pace of the markers, not a wait for a condition
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long delivered = 0;
            long missed = 0;
            int endSeen;
            while (true) {
                JsonNode m = ws.next();
                assertEquals("next", m.path("type").asText(), m.toString());
                missed += m.path("payload").path("extensions").path("lagged").path("missed").asLong(0);
                String target = m.path("payload").path("data").path("logMessage").path("target").asText();
                if (target.startsWith("gqlburst.end")) {
                    endSeen = Integer.parseInt(target.substring("gqlburst.end".length()));
                    seen.set(true);
                    break;
                }
                delivered++;
            }
            markers.interrupt();
            assertEquals(burst + endSeen - 1, delivered + missed, "delivered " + delivered + " + reported missing "
                    + missed + ", the end marker that arrived being number " + endSeen);
        }
    }

    @Test
    void queriesAndMutationsWorkOverTheSocketToo() {
        try (WsClient ws = open()) {
            ws.subscribe("q", "{ testEcho(text: \"ws\", n: 2) { text n } }", null);
            JsonNode next = ws.next();
            assertEquals("next", next.path("type").asText());
            assertEquals("ws", next.path("payload").path("data").path("testEcho").path("text").asText());
            JsonNode complete = ws.next();
            assertEquals("complete", complete.path("type").asText());
            assertEquals("q", complete.path("id").asText());

            ws.subscribe("bad", "subscription { noSuchEvent { x } }", null);
            JsonNode error = ws.next();
            assertEquals("error", error.path("type").asText(), error.toString());
            assertTrue(error.path("payload").isArray() && !error.path("payload").isEmpty(), error.toString());

            ws.subscribe("nf", "{ librariesGet(library: \"nope\") { id } }", null);
            JsonNode nf = ws.next();
            assertEquals("next", nf.path("type").asText());
            assertEquals("NOT_FOUND", nf.path("payload").path("errors").path(0).path("extensions").path("code").asText());
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (WsClient ws = open()) {
            ws.send(Map.of("type", "ping"));
            assertEquals("pong", ws.next().path("type").asText());
        }
    }

    @Test
    void protocolViolationsCloseWithTheirCodes() {
        try (WsClient ws = WsClient.connect(rig.http, rig.ws(), Map.of(), false)) {
            assertEquals(4406, ws.awaitClose().code(), "no graphql-transport-ws subprotocol offered");
        }
        try (WsClient ws = WsClient.connect(rig.http, rig.ws())) {
            ws.subscribe("early", "{ _server { connected } }", null);
            assertEquals(4401, ws.awaitClose().code(), "subscribe before connection_ack");
        }
        try (WsClient ws = open()) {
            ws.send(Map.of("type", "connection_init"));
            assertEquals(4429, ws.awaitClose().code(), "a second connection_init");
        }
        try (WsClient ws = open()) {
            ws.sendRaw("this is not json");
            assertEquals(4400, ws.awaitClose().code());
        }
        try (WsClient ws = open()) {
            ws.send(Map.of("type", "subscribe", "payload", Map.of("query", "{ _server { connected } }")));
            assertEquals(4400, ws.awaitClose().code(), "subscribe without an id");
        }
        try (WsClient ws = open()) {
            ws.send(Map.of("type", "what"));
            assertEquals(4400, ws.awaitClose().code(), "an unknown message type");
        }
        int before = daemonSubscriptions();
        try (WsClient ws = open()) {
            ws.subscribe("same", "subscription { libraryChanged { name } }", null);
            awaitSubscriptions(before + 1);
            ws.subscribe("same", "subscription { libraryChanged { name } }", null);
            assertEquals(4409, ws.awaitClose().code(), "a second subscribe with an id in use");
        }
        awaitSubscriptions(before); // closing the socket released the daemon subscription
    }

    @Test
    void aClientThatNeverInitialisesIsClosedWith4408() throws Exception {
        GraphqlServer quick = rig.extraServer(rig.options().withInitTimeout(Duration.ofSeconds(1)));
        try (WsClient ws = WsClient.connect(rig.http, URI.create("ws://127.0.0.1:" + quick.port() + "/graphql"))) {
            WsClient.Closed c = ws.awaitClose();
            assertEquals(4408, c.code(), c.toString());
        }
    }

    @Test
    void aBrowserThatGoesAwayReleasesTheDaemonSubscription() {
        int before = daemonSubscriptions();
        WsClient ws = open();
        ws.subscribe("a", "subscription { jobUpdate { jobId } }", null);
        ws.subscribe("b", "subscription { logMessage(level: ERROR) { message } }", null);
        awaitSubscriptions(before + 2);
        ws.abort(); // no close frame: the TCP connection just ends
        awaitSubscriptions(before);

        WsClient polite = open();
        polite.subscribe("c", "subscription { sessionEvent { name } }", null);
        awaitSubscriptions(before + 1);
        polite.closeGracefully();
        awaitSubscriptions(before);
    }
}
