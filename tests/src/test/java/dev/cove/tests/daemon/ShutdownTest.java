package dev.cove.tests.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.core.Ping;
import dev.cove.api.core.Shutdown;
import dev.cove.api.core.ShutdownAccepted;
import dev.cove.api.events.ClientConnected;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.RawClient;
import dev.cove.tests.support.TestPlugin;
import dev.cove.tests.support.plugin.Burst;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graceful stops: by request with idle clients connected, and by SIGTERM. */
class ShutdownTest {
    /** Well under the daemon's 10 s grace for running calls: idle clients must not use it up. */
    static final Duration PROMPT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    @Test
    void shutdownWithIdleClientsConnectedCompletesPromptly() throws Exception {
        Path data = tmp.resolve("data");
        try (DaemonProcess daemon = DaemonProcess.start(data)) {
            InstancePaths paths = daemon.paths();
            List<CoreClient> idle = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                CoreClient c = daemon.client();
                c.connect();
                idle.add(c);
            }
            // and two raw connections that never even said hello
            RawClient silent1 = RawClient.connect(paths);
            RawClient silent2 = RawClient.connect(paths);
            CoreClient subscriber = daemon.client();
            EventStream stream = subscriber.subscribe(EventFilter.NONE, ClientConnected.class);
            RawClient raw = daemon.raw();
            raw.send(Map.of("id", 1, "type", "subscribe", "events", List.of("LogMessage")));
            JsonNode subOk = raw.awaitId(1);
            assertEquals("ok", subOk.path("type").asText(), subOk.toString());
            long rawSub = subOk.path("payload").path("subscription").asLong();

            CoreClient stopper = daemon.client();
            long asked = System.nanoTime();
            ShutdownAccepted accepted = stopper.call(new Shutdown("test"));
            assertEquals(daemon.pid(), accepted.pid());
            assertEquals("Daemon shutdown requested", accepted.message());

            int status = daemon.awaitExit(PROMPT);
            long tookMs = (System.nanoTime() - asked) / 1_000_000;
            assertEquals(0, status, "exit status after shutdown" + daemon.output());
            assertTrue(tookMs < PROMPT.toMillis(), "took " + tookMs + " ms");

            // subscribers were told the stream ended
            StreamItem last = null;
            for (StreamItem i = stream.poll(Duration.ofSeconds(5)); i != null; i = stream.poll(Duration.ofSeconds(5))) {
                last = i;
                if (i instanceof StreamItem.Ended) {
                    break;
                }
            }
            StreamItem.Ended ended = assertInstanceOf(StreamItem.Ended.class, last, "the subscriber's stream ends");
            assertEquals("shutdown", ended.reason(), "the daemon's end frame, not a lost connection: " + ended);
            JsonNode end = awaitEnd(raw, daemon);
            assertEquals(rawSub, end.path("sub").asLong());
            assertEquals("shutdown", end.path("reason").asText());
            assertTrue(raw.awaitClosed(Duration.ofSeconds(5)), "the daemon closed the raw connection");
            raw.close();

            assertTrue(silent1.awaitClosed(Duration.ofSeconds(5)) && silent2.awaitClosed(Duration.ofSeconds(5)));
            silent1.close();
            silent2.close();

            // idle clients were disconnected, not left hanging
            for (CoreClient c : idle) {
                Await.until(Duration.ofSeconds(5), () -> !c.isConnected(), "idle client disconnected");
            }

            assertFalse(Files.exists(paths.socket()), "the socket is removed");
            assertTrue(Files.exists(paths.lockFile()), "the lock file is never deleted");
            assertLockFree(paths);
        }
        // and a new daemon starts on the same instance
        try (DaemonProcess again = DaemonProcess.start(data)) {
            assertEquals(again.pid(), again.client().call(new Ping()).pid());
        }
    }

    @Test
    void sigtermStopsGracefullyWithStatusZero() throws IOException {
        Path data = tmp.resolve("data");
        try (DaemonProcess daemon = DaemonProcess.start(data, "term")) {
            InstancePaths paths = daemon.paths();
            CoreClient idle = daemon.client();
            idle.connect();
            RawClient raw = daemon.raw();
            raw.send(Map.of("id", 1, "type", "subscribe", "events", List.of()));
            assertEquals("ok", raw.awaitId(1).path("type").asText());
            // more subscribers whose subscribe races the stop: whoever got an ok must also get the end
            List<RawClient> racing = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                racing.add(daemon.raw());
            }
            for (RawClient r : racing) {
                r.send(Map.of("id", "late", "type", "subscribe", "events", List.of("LogMessage")));
            }

            daemon.process().destroy(); // SIGTERM
            assertEquals(0, daemon.awaitExit(PROMPT), "exit status after SIGTERM" + daemon.output());
            assertFalse(Files.exists(paths.socket()), "the socket is removed");
            assertTrue(Files.exists(paths.lockFile()));
            assertLockFree(paths);
            JsonNode end = awaitEnd(raw, daemon);
            assertEquals("shutdown", end.path("reason").asText());
            raw.close();
            for (RawClient r : racing) {
                List<JsonNode> frames = new ArrayList<>();
                for (JsonNode f = r.next(); f != null; f = r.next()) {
                    frames.add(f);
                }
                r.close();
                JsonNode ok = frames.stream().filter(f -> f.path("type").asText().equals("ok")).findFirst().orElse(null);
                if (ok != null) {
                    long sub = ok.path("payload").path("subscription").asLong();
                    assertTrue(frames.stream().anyMatch(f -> f.path("type").asText().equals("end")
                            && f.path("sub").asLong() == sub && f.path("reason").asText().equals("shutdown")),
                            "a subscription that got its ok also gets its end frame: " + frames + daemon.output());
                } else {
                    assertTrue(frames.stream().allMatch(f -> f.path("type").asText().equals("error")
                            && f.path("error").path("code").asText().equals("SHUTTING_DOWN")),
                            "no ok: then only SHUTTING_DOWN (or nothing): " + frames);
                }
            }
            assertTrue(daemon.log().contains("SIGTERM"), "the log says why it stopped:\n" + daemon.log());
        }
    }

    @Test
    void slowSubscribersDoNotAddUpToALongShutdown() {
        Path data = tmp.resolve("data");
        TestPlugin.installInto(data);
        try (DaemonProcess daemon = DaemonProcess.start(data)) {
            // four subscribers that read nothing, flooded until the daemon cannot write to any of them
            List<RawClient> slow = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RawClient r = daemon.raw();
                r.send(Map.of("id", 1, "type", "subscribe", "events", List.of("LogMessage"),
                        "filter", Map.of("target", "tests.flood")));
                assertEquals("ok", r.awaitId(1).path("type").asText());
                slow.add(r);
            }
            CoreClient c = daemon.client();
            c.call(new Burst(20_000, 1_000, 0, "tests.flood"));
            long asked = System.nanoTime();
            c.call(new Shutdown("slow subscribers"));
            assertEquals(0, daemon.awaitExit(PROMPT), "exit status" + daemon.output());
            long tookMs = (System.nanoTime() - asked) / 1_000_000;
            assertTrue(tookMs < PROMPT.toMillis(), "took " + tookMs + " ms");
            for (RawClient r : slow) {
                assertTrue(r.awaitClosed(Duration.ofSeconds(10)), "the slow subscriber's connection is closed");
                r.close();
            }
        }
    }

    /** The end frame of a raw subscription; on failure, what the daemon logged. */
    static JsonNode awaitEnd(RawClient raw, DaemonProcess daemon) {
        try {
            return raw.awaitFrame(f -> f.path("type").asText().equals("end"), Duration.ofSeconds(5));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + daemon.output(), e);
        }
    }

    static void assertLockFree(InstancePaths paths) throws IOException {
        try (FileChannel ch = FileChannel.open(paths.lockFile(), StandardOpenOption.WRITE)) {
            FileLock probe = ch.tryLock();
            assertNotNull(probe, "the lock is released");
            probe.release();
        }
    }
}
