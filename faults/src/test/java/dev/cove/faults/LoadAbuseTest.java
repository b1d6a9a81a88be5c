package dev.cove.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.RawClient;
import dev.cove.tests.support.plugin.Burst;
import dev.cove.tests.support.plugin.BurstDone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that abuse the daemon by volume: pipelining without reading, holding idle connections, subscribing
 * and never reading. Each time a canary client on its own connection must keep being served, and the daemon's
 * memory must stay bounded.
 */
class LoadAbuseTest {
    @TempDir
    static Path tmp;
    static DaemonProcess daemon;
    static Canary canary;

    @BeforeAll
    static void start() {
        Path data = tmp.resolve("data");
        FaultPlugin.installInto(data);
        daemon = DaemonProcess.start(data, "load");
        canary = Canary.start(daemon);
    }

    @AfterAll
    static void stop() {
        try {
            if (canary != null) {
                canary.close();
            }
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    /** Samples the daemon's RSS every 20 ms while running, keeping the peak. */
    static final class RssPeak implements AutoCloseable {
        final AtomicLong peak = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread t;

        RssPeak(long pid) {
            t = Thread.ofPlatform().daemon(true).start(() -> {
                while (!stop.get()) {
                    peak.accumulateAndGet(Faults.rssBytes(pid), Math::max);
                    try {
                        Thread.sleep(20); // a sampling interval, not a wait for a condition
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            t.join();
        }
    }

    static SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(daemon.paths().connectPath()));
        return ch;
    }

    @Test
    void aClientPipeliningWithoutReadingIsHeldBackAndTheDaemonStaysBounded() throws Exception {
        int n = Faults.scale(100_000, 1_000_000);
        long base = Faults.rssBytes(daemon.pid());
        long peak;
        StringBuilder sb = new StringBuilder(n * 70);
        sb.append("{\"type\":\"hello\",\"protocol\":1,\"name\":\"pipeliner\"}\n");
        for (int i = 0; i < n; i++) {
            sb.append("{\"id\":").append(i).append(",\"type\":\"query\",\"method\":\"query:core.ping.v1\"}\n");
        }
        byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicLong written = new AtomicLong();
        try (RssPeak rss = new RssPeak(daemon.pid()); SocketChannel ch = connect()) {
            // a writer thread sends everything, blocking whenever the daemon stops taking bytes
            Thread writer = Thread.ofPlatform().daemon(true).start(() -> {
                ByteBuffer b = ByteBuffer.wrap(all);
                try {
                    while (b.hasRemaining()) {
                        ByteBuffer chunk = b.slice(b.position(), Math.min(b.remaining(), 4096));
                        int k = ch.write(chunk);
                        b.position(b.position() + k);
                        written.addAndGet(k);
                    }
                } catch (IOException e) {
                    // the test closes the channel on failure
                }
            });
            // nobody reads yet: the daemon must stop taking requests (back-pressure), not buffer all of them
            // no progress for a quiet period of 2 s means the daemon has stopped reading this connection
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            for (long prev = -1; written.get() != prev; ) {
                prev = written.get();
                assertTrue(System.nanoTime() < deadline, "the daemon kept reading for 120 s");
                Thread.sleep(2000); // the quiet period
            }
            long accepted = written.get();
            System.out.println("[faults] pipelining: the daemon took " + accepted + " of " + all.length
                    + " bytes while nobody read its answers; RSS " + Faults.mib(Faults.rssBytes(daemon.pid())));
            assertTrue(accepted < all.length / 10, "back-pressure: the daemon stopped reading a client that does not "
                    + "read (it took all " + all.length + " bytes)");
            canary.awaitMore(50); // others are served meanwhile
            // now read every answer; the writer carries on as room appears
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    java.nio.channels.Channels.newInputStream(ch), StandardCharsets.UTF_8));
            assertTrue(in.readLine().contains("\"hello\""));
            BitSet answered = new BitSet(n);
            for (int count = 0; count < n; count++) {
                String line = in.readLine();
                assertTrue(line != null, "the daemon closed the connection after " + count + " answers");
                JsonNode f = RawClient.JSON.readTree(line);
                assertEquals("ok", f.path("type").asText(), line);
                int id = f.path("id").asInt();
                assertTrue(!answered.get(id), "id " + id + " answered twice");
                answered.set(id);
            }
            assertEquals(n, answered.cardinality());
            writer.join(10_000);
            rss.close();
            peak = rss.peak.get();
        }
        canary.awaitMore(10);
        System.out.println("[faults] pipelining " + n + " requests: RSS before " + Faults.mib(base) + ", peak "
                + Faults.mib(peak) + " (+" + Faults.mib(peak - base) + ")");
        Faults.checkPeak("pipelining " + n + " requests without reading", base, peak);
    }

    @Test
    void aThousandIdleConnectionsDoNotStopOthersAndAreReleased() throws Exception {
        int n = Faults.scale(1000, 3000);
        long mine = Faults.maxOpenFiles(ProcessHandle.current().pid());
        long theirs = Faults.maxOpenFiles(daemon.pid());
        org.junit.jupiter.api.Assumptions.assumeTrue(mine < 0 || mine >= n + 500,
                "ulimit -n of the test JVM is " + mine + ", too low to hold " + n + " connections");
        org.junit.jupiter.api.Assumptions.assumeTrue(theirs < 0 || theirs >= n + 500,
                "ulimit -n of the daemon is " + theirs + ", too low to hold " + n + " connections");
        int fdsBefore = Faults.openFds(daemon.pid());
        String limits = Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "limits"));
        List<SocketChannel> held = new ArrayList<>();
        long base = Faults.rssBytes(daemon.pid());
        RssPeak rss = new RssPeak(daemon.pid());
        try {
            for (int i = 0; i < n; i++) {
                SocketChannel ch = connect();
                if (i % 2 == 0) { // half say hello and then nothing; half never even say hello
                    ch.write(ByteBuffer.wrap("{\"type\":\"hello\",\"protocol\":1,\"name\":\"idle\"}\n"
                            .getBytes(StandardCharsets.UTF_8)));
                }
                held.add(ch);
            }
            try (CoreClient c = daemon.clientBuilder().build()) {
                Await.until(Duration.ofSeconds(60), () -> c.call(new GetStatus()).clients() >= n / 2,
                        "the daemon counts the idle clients that said hello");
                DaemonStatus s = c.call(new GetStatus());
                System.out.println("[faults] idle connections: " + n + " held, status counts " + s.clients()
                        + " clients, daemon fds " + Faults.openFds(daemon.pid()) + ", threads " + s.threads());
            }
            canary.awaitMore(20);
            // a brand-new client still gets in and is served
            try (RawClient fresh = daemon.raw()) {
                assertEquals("ok", fresh.call(1, "query:core.ping.v1", null).path("type").asText());
            }
        } finally {
            rss.close();
            for (SocketChannel ch : held) {
                ch.close();
            }
        }
        Faults.checkPeak(n + " idle connections", base, rss.peak.get());
        Await.until(Duration.ofSeconds(60), () -> Faults.openFds(daemon.pid()) <= fdsBefore + 20,
                () -> "the daemon to close the idle connections' descriptors (had " + fdsBefore + ", now "
                        + Faults.openFds(daemon.pid()) + ")\n" + limits);
        canary.awaitMore(5);
    }

    @Test
    void aSubscriberThatNeverReadsBlocksNeitherPublishersNorOthers() throws Exception {
        int events = Faults.scale(200_000, 2_000_000);
        long base = Faults.rssBytes(daemon.pid());
        try (RssPeak rss = new RssPeak(daemon.pid()); RawClient stuck = daemon.raw()) {
            stuck.send(Map.of("id", 1, "type", "subscribe", "events", List.of("LogMessage")));
            // read only the ok, then never again
            assertEquals("ok", stuck.awaitId(1).path("type").asText());
            try (CoreClient publisher = daemon.clientBuilder().timeout(Duration.ofSeconds(120)).build()) {
                long t0 = System.nanoTime();
                BurstDone done = publisher.call(new Burst(events, 1000, 0, "faults.flood"));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(events, done.published());
                System.out.println("[faults] never-reading subscriber: " + events + " events published in " + ms
                        + " ms");
            }
            canary.awaitMore(20);
            rss.close();
            Faults.checkPeak("a subscriber that never reads, " + events + " events", base, rss.peak.get());
            // when it finally reads, it is told what it missed, never silently
            JsonNode lagged = stuck.awaitFrame(f -> f.path("type").asText().equals("lagged"), Duration.ofSeconds(60));
            assertTrue(lagged.path("missed").asLong() > 0, lagged.toString());
        }
        canary.awaitMore(5);
    }

    @Test
    void manyConnectionsEachSendingHalfALargeFrameShareOneMemoryBudget() throws Exception {
        // each connection sends 15 MiB of a frame and never the newline: without a shared budget the daemon
        // would hold 15 MiB per connection (4,096 connections: 60 GiB)
        int n = Faults.scale(40, 200);
        int part = 15 << 20;
        long base = Faults.rssBytes(daemon.pid());
        byte[] chunk = new byte[part];
        java.util.Arrays.fill(chunk, (byte) 'a');
        chunk[0] = '{';
        List<SocketChannel> held = new ArrayList<>();
        int overloaded = 0;
        long peak;
        try (RssPeak rss = new RssPeak(daemon.pid())) {
            for (int i = 0; i < n; i++) {
                SocketChannel ch = connect();
                held.add(ch);
                ch.configureBlocking(true);
                ByteBuffer b = ByteBuffer.wrap("{\"type\":\"hello\",\"protocol\":1}\n".getBytes(StandardCharsets.UTF_8));
                ch.write(b);
                ByteBuffer c = ByteBuffer.wrap(chunk);
                try {
                    while (c.hasRemaining()) {
                        ch.write(c);
                    }
                } catch (IOException e) {
                    overloaded++; // the daemon closed it (OVERLOADED) before taking it all
                    continue;
                }
            }
            canary.awaitMore(20);
            rss.close();
            peak = rss.peak.get();
        } finally {
            for (SocketChannel ch : held) {
                ch.close();
            }
        }
        System.out.println("[faults] " + n + " connections with a 15 MiB partial frame each: " + overloaded
                + " refused; RSS " + Faults.mib(base) + " -> peak " + Faults.mib(peak));
        if (overloaded < n - 20) {
            System.out.println(daemon.output());
        }
        assertTrue(overloaded >= n - 20, "the shared budget (256 MiB) refused all but about 16 of " + n
                + " large partial frames; refused " + overloaded);
        // what it did take stays within the ceiling: the rest was shed with OVERLOADED
        Faults.checkPeak(n + " connections with a 15 MiB partial frame each (" + overloaded + " shed)", base, peak);
        // once they are gone, a large frame goes through again
        try (RawClient raw = daemon.raw()) {
            String text = "y".repeat(10 << 20);
            raw.sendLine("{\"id\":1,\"type\":\"query\",\"method\":\"query:test.echo.v1\",\"payload\":{\"text\":\""
                    + text + "\",\"n\":1}}");
            JsonNode f = raw.awaitId(1);
            assertEquals("ok", f.path("type").asText(), () -> f.toString().substring(0, 200));
        }
    }
}
