package dev.cove.rpc.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.Event;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Method;
import dev.cove.rpc.Query;
import dev.cove.rpc.Request;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.wire.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RpcServerTest {
    // ---- a tiny domain for the framework to serve ----
    @Method("query:test.echo.v1")
    public record Echo(String text, int n) implements Request<Echoed> { }

    public record Echoed(String text, int n, String thread) { }

    @Method("action:test.sleep.input.v1")
    public record Sleep(long millis, String key) implements Request<Echoed> {
        Sleep(long millis) {
            this(millis, "");
        }
    }

    @Method("action:test.fail.input.v1")
    public record Fail(String how) implements Request<Echoed> { }

    @Method("action:test.emit.input.v1")
    public record Emit(int count, String topic) implements Request<Echoed> { }

    public record Tick(String topic, int index) implements Event { }

    /** Per-call latches, keyed by Sleep.key: counted down when the handler starts and when it is interrupted. */
    static final java.util.Map<String, CountDownLatch> STARTED = new java.util.concurrent.ConcurrentHashMap<>();
    static final java.util.Map<String, CountDownLatch> INTERRUPTED = new java.util.concurrent.ConcurrentHashMap<>();

    static CountDownLatch latch(java.util.Map<String, CountDownLatch> m, String key) {
        return m.computeIfAbsent(key, k -> new CountDownLatch(1));
    }
    static volatile EventHub HUB;

    @Query("test.echo")
    public static final class EchoOp implements Handler<Echo, Echoed> {
        @Override
        public Echoed handle(Echo in, CallContext ctx) {
            return new Echoed(in.text(), in.n(), Thread.currentThread().isVirtual() ? "virtual" : "platform");
        }
    }

    @Action("test.sleep")
    public static final class SleepOp implements Handler<Sleep, Echoed> {
        @Override
        public Echoed handle(Sleep in, CallContext ctx) throws InterruptedException {
            latch(STARTED, in.key()).countDown();
            try {
                Thread.sleep(in.millis());
            } catch (InterruptedException e) {
                latch(INTERRUPTED, in.key()).countDown();
                throw e;
            }
            return new Echoed("slept", 0, "");
        }
    }

    @Action("test.fail")
    public static final class FailOp implements Handler<Fail, Echoed> {
        @Override
        public Echoed handle(Fail in, CallContext ctx) {
            switch (in.how()) {
                case "state" -> throw new IllegalStateException("boom");
                case "arg" -> throw new IllegalArgumentException("bad argument");
                default -> throw RpcException.notFound("no such thing: " + in.how());
            }
        }
    }

    @Action("test.emit")
    public static final class EmitOp implements Handler<Emit, Echoed> {
        @Override
        public Echoed handle(Emit in, CallContext ctx) {
            for (int i = 1; i <= in.count(); i++) {
                HUB.publish(new Tick(in.topic(), i));
            }
            return new Echoed("emitted", in.count(), "");
        }
    }

    @TempDir
    Path dir;
    private RpcServer server;
    private final List<CoreClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        startServer(ServerConfig.defaults(dir.resolve("s.sock"), dir.resolve("s.sock"), "test", "1", "t"));
    }

    private void startServer(ServerConfig config) throws Exception {
        startServer(config, null);
    }

    private void startServer(ServerConfig config, ServerListener listener) throws Exception {
        OperationRegistry registry = OperationRegistry.builder(HandlerFactory.noArgs(), Protocol.DEFAULT_MAX_FRAME_BYTES)
                .add(EchoOp.class).add(SleepOp.class).add(FailOp.class).add(EmitOp.class).build();
        HUB = new EventHub(EventTypes.of(List.of(Tick.class)));
        server = new RpcServer(config, registry, HUB, listener);
        server.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(CoreClient::close);
        server.stop();
    }

    private CoreClient client(Encoding encoding) {
        CoreClient c = CoreClient.builder().socket(dir.resolve("s.sock")).encoding(encoding)
                .events(EventTypes.of(List.of(Tick.class))).build();
        clients.add(c);
        return c;
    }

    @Test
    void typedCallsWorkInBothEncodings() {
        for (Encoding e : Encoding.values()) {
            Echoed out = client(e).call(new Echo("héllo", 7));
            assertEquals("héllo", out.text(), e.name());
            assertEquals(7, out.n(), e.name());
        }
    }

    @Test
    void connectionsPastThePlatformReaderBudgetAreReadByVirtualThreads() throws Exception {
        server.stop();
        startServer(ServerConfig.defaults(dir.resolve("s.sock"), dir.resolve("s.sock"), "test", "1", "t")
                .withPlatformReaders(1));
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // a lone call runs on its connection's reader, so the handler reports the reader's kind
            kinds.add(client(Encoding.JSON).call(new Echo("c" + i, i)).thread());
        }
        assertEquals(List.of("platform", "virtual", "virtual"), kinds);
        // a slow call on a virtual reader still hands reading over: the same connection keeps answering
        CoreClient c = clients.get(2);
        CompletableFuture<Echoed> slow = c.callAsync(new Sleep(60_000, "virtual-reader"));
        assertTrue(latch(STARTED, "virtual-reader").await(5, TimeUnit.SECONDS));
        assertEquals("meanwhile", c.call(new Echo("meanwhile", 1)).text());
        assertTrue(slow.cancel(true));
        assertTrue(latch(INTERRUPTED, "virtual-reader").await(5, TimeUnit.SECONDS), "cancel reached the handler");
        assertEquals("after", c.call(new Echo("after", 2)).text());
    }

    @Test
    void socketIsPrivateToItsOwner() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("s.sock"))));
    }

    @Test
    void oneConnectionCarriesManyThreadsAndASlowCallBlocksOnlyItself() throws Exception {
        CoreClient c = client(Encoding.KRYO);
        // alone in its batch, so it runs on the connection's reader until the monitor hands reading over
        CompletableFuture<Echoed> slow = c.callAsync(new Sleep(600_000, "blocks-only-itself"));
        assertTrue(latch(STARTED, "blocks-only-itself").await(5, TimeUnit.SECONDS), "the slow call runs");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 500; i++) {
                    Echoed e = c.call(new Echo("t" + thread, i));
                    assertEquals("t" + thread, e.text());
                    assertEquals(i, e.n());
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertFalse(slow.isDone(), "8,000 fast calls finished while the slow one still runs");
        assertTrue(slow.cancel(true));
        assertTrue(latch(INTERRUPTED, "blocks-only-itself").await(5, TimeUnit.SECONDS), "cancel reached the handler");
    }

    @Test
    void aBlockingCallInsideACallbackFailsInsteadOfHanging() throws Exception {
        CoreClient c = client(Encoding.JSON);
        CompletableFuture<Echoed> chained = c.callAsync(new Sleep(100))
                .thenApply(first -> c.call(new Echo("nested", 1)));
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> chained.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        // the async form is the way to chain calls
        Echoed composed = c.callAsync(new Sleep(10)).thenCompose(first -> c.callAsync(new Echo("composed", 2)))
                .get(10, TimeUnit.SECONDS);
        assertEquals("composed", composed.text());
    }

    @Test
    void handlerErrorsBecomeCodesAndTheConnectionCarriesOn() {
        CoreClient c = client(Encoding.JSON);
        assertEquals(ErrorCode.EXECUTION_ERROR, assertThrows(RpcException.class, () -> c.call(new Fail("state"))).code());
        RpcException arg = assertThrows(RpcException.class, () -> c.call(new Fail("arg")));
        assertEquals(ErrorCode.INVALID_INPUT, arg.code());
        assertEquals("bad argument", arg.getMessage());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(RpcException.class, () -> c.call(new Fail("x"))).code());
        assertEquals("ok", c.call(new Echo("ok", 1)).text());
    }

    @Test
    void theListenerHearsEveryCallWithItsMethodCodeAndDuration() throws Exception {
        record Ended(String method, ErrorCode error, long nanos) {
        }
        java.util.concurrent.LinkedBlockingQueue<Ended> ended = new java.util.concurrent.LinkedBlockingQueue<>();
        server.stop();
        startServer(ServerConfig.defaults(dir.resolve("s.sock"), dir.resolve("s.sock"), "test", "1", "t"),
                new ServerListener() {
                    @Override
                    public void callEnded(String method, ErrorCode error, long nanos) {
                        ended.add(new Ended(method, error, nanos));
                    }
                });
        CoreClient c = client(Encoding.JSON);
        c.call(new Echo("a", 1));
        assertThrows(RpcException.class, () -> c.call(new Fail("x")));
        assertThrows(RpcException.class, () -> c.call(new Sleep(60_000, "listener"), Duration.ofMillis(100)));
        Ended ok = ended.poll(5, TimeUnit.SECONDS);
        Ended notFound = ended.poll(5, TimeUnit.SECONDS);
        Ended timedOut = ended.poll(5, TimeUnit.SECONDS);
        assertEquals(Echo.class.getAnnotation(Method.class).value(), ok.method());
        assertEquals(null, ok.error());
        assertTrue(ok.nanos() > 0);
        assertEquals(ErrorCode.NOT_FOUND, notFound.error());
        assertEquals(ErrorCode.TIMEOUT, timedOut.error());
        assertTrue(timedOut.nanos() >= TimeUnit.MILLISECONDS.toNanos(100), "the time runs until the handler returns");
        assertEquals(null, ended.poll(200, TimeUnit.MILLISECONDS), "one report per call");
    }

    @Test
    void perCallTimeoutAnswersTimeoutAndInterruptsTheHandler() throws Exception {
        CoreClient c = client(Encoding.KRYO);
        RpcException e = assertThrows(RpcException.class, () -> c.call(new Sleep(60_000, "timeout"), Duration.ofMillis(200)));
        assertEquals(ErrorCode.TIMEOUT, e.code());
        assertTrue(latch(INTERRUPTED, "timeout").await(5, TimeUnit.SECONDS), "the handler was interrupted");
        assertEquals("still", c.call(new Echo("still", 2)).text());
    }

    @Test
    void cancellingAFutureStopsTheCallOnTheDaemon() throws Exception {
        CoreClient c = client(Encoding.JSON);
        CompletableFuture<Echoed> f = c.callAsync(new Sleep(60_000, "cancel"));
        assertTrue(latch(STARTED, "cancel").await(5, TimeUnit.SECONDS), "the daemon runs the call");
        assertTrue(f.cancel(true));
        assertTrue(latch(INTERRUPTED, "cancel").await(5, TimeUnit.SECONDS), "cancel reached the handler");
        assertEquals("after", c.call(new Echo("after", 3)).text());
    }

    @Test
    void eventsArriveInOrderWithSequenceNumbersAndFilters() throws Exception {
        CoreClient c = client(Encoding.KRYO);
        try (EventStream all = c.subscribe(EventFilter.NONE, Tick.class);
             EventStream onlyB = c.subscribe(EventFilter.of("topic", "b"), Tick.class)) {
            c.call(new Emit(100, "a"));
            c.call(new Emit(5, "b"));
            for (int i = 1; i <= 105; i++) {
                StreamItem.Delivered d = assertInstanceOf(StreamItem.Delivered.class, all.poll(Duration.ofSeconds(5)));
                assertEquals(i, d.seq());
                assertInstanceOf(Tick.class, d.event());
            }
            for (int i = 1; i <= 5; i++) {
                StreamItem.Delivered d = assertInstanceOf(StreamItem.Delivered.class, onlyB.poll(Duration.ofSeconds(5)));
                assertEquals(new Tick("b", i), d.event());
                assertEquals(i, d.seq());
            }
        }
    }

    @Test
    void aSubscriberThatStopsReadingIsToldExactlyHowManyItMissed() throws Exception {
        server.stop();
        startServer(ServerConfig.defaults(dir.resolve("s.sock"), dir.resolve("s.sock"), "test", "1", "t")
                .withSubscriberQueue(16));
        int total = 20_000;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
            OutputStream out = Channels.newOutputStream(ch);
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            out.write("{\"type\":\"hello\",\"protocol\":1}\n{\"id\":1,\"type\":\"subscribe\",\"events\":[\"Tick\"]}\n"
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals("hello", Json.MAPPER.readTree(in.readLine()).path("type").asText());
            assertEquals("ok", Json.MAPPER.readTree(in.readLine()).path("type").asText());
            // publish while this subscriber reads nothing; a fast subscriber meanwhile gets everything
            CoreClient fast = client(Encoding.KRYO);
            EventStream fastStream = fast.subscribe(EventFilter.NONE, Tick.class);
            fast.call(new Emit(total, "x"));
            long delivered = 0;
            long missed = 0;
            long lastSeq = 0;
            while (lastSeq < total) {
                JsonNode f = Json.MAPPER.readTree(in.readLine());
                switch (f.path("type").asText()) {
                    case "event" -> {
                        assertEquals(lastSeq + 1, f.path("seq").asLong(), "no silent gap");
                        lastSeq = f.path("seq").asLong();
                        delivered++;
                    }
                    case "lagged" -> {
                        missed += f.path("missed").asLong();
                        lastSeq = f.path("seq").asLong();
                    }
                    default -> throw new AssertionError("unexpected " + f);
                }
            }
            assertEquals(total, delivered + missed);
            assertTrue(missed > 0, "the slow subscriber must have lagged");
            long fastMissed = 0;
            // with a 16-event queue even a reading subscriber may fall behind a tight publishing loop,
            // but it too must account for every event: delivered plus reported missing
            long fastSeen = 0;
            while (fastSeen < total) {
                StreamItem item = fastStream.poll(Duration.ofSeconds(10));
                if (item instanceof StreamItem.Delivered d) {
                    assertEquals(fastSeen + 1, d.seq());
                    fastSeen = d.seq();
                } else {
                    StreamItem.Lagged l = assertInstanceOf(StreamItem.Lagged.class, item);
                    assertEquals(fastSeen + l.missed(), l.seq());
                    fastSeen = l.seq();
                    fastMissed += l.missed();
                }
            }
            assertEquals(missed + fastMissed, HUB.laggedEvents(), "the hub counts every event a subscriber missed");
        }
    }

    @Test
    void aClientThatHalfClosesStillGetsItsAnswers() throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
            OutputStream out = Channels.newOutputStream(ch);
            out.write(("{\"type\":\"hello\",\"protocol\":1}\n"
                    + "{\"id\":1,\"type\":\"action\",\"method\":\"action:test.sleep.input.v1\",\"payload\":{\"millis\":300,\"key\":\"half\"}}\n"
                    + "{\"id\":2,\"type\":\"query\",\"method\":\"query:test.echo.v1\",\"payload\":{\"text\":\"a\",\"n\":1}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            ch.shutdownOutput(); // what `printf ... | nc -U` does at the end of its input
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            assertEquals("hello", Json.MAPPER.readTree(in.readLine()).path("type").asText());
            java.util.Set<Long> answered = new java.util.HashSet<>();
            for (int i = 0; i < 2; i++) {
                JsonNode f = Json.MAPPER.readTree(in.readLine());
                assertEquals("ok", f.path("type").asText(), f.toString());
                answered.add(f.path("id").asLong());
            }
            assertEquals(java.util.Set.of(1L, 2L), answered);
            assertEquals(null, in.readLine(), "the daemon closes once everything is answered");
        }
    }

    @Test
    void aSubscriberThatKeepsUpLosesNothing() throws Exception {
        CoreClient c = client(Encoding.KRYO);
        try (EventStream s = c.subscribe(EventFilter.NONE, Tick.class)) {
            int seq = 0;
            for (int round = 0; round < 20; round++) {
                c.call(new Emit(1000, "r" + round));
                for (int i = 1; i <= 1000; i++) {
                    StreamItem.Delivered d = assertInstanceOf(StreamItem.Delivered.class, s.poll(Duration.ofSeconds(5)));
                    assertEquals(++seq, d.seq());
                    assertEquals(new Tick("r" + round, i), d.event());
                }
            }
        }
    }

    @Test
    void stopEndsSubscriptionsAndDoesNotWaitForIdleClients() throws Exception {
        CoreClient idle = client(Encoding.JSON);
        idle.connect();
        CoreClient sub = client(Encoding.KRYO);
        EventStream stream = sub.subscribe(EventFilter.NONE, Tick.class);
        long t0 = System.nanoTime();
        server.stop();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3), "stop is prompt with idle clients");
        StreamItem last = stream.poll(Duration.ofSeconds(5));
        assertEquals("shutdown", assertInstanceOf(StreamItem.Ended.class, last).reason());
        assertFalse(Files.exists(dir.resolve("s.sock")));
        RpcException e = assertThrows(RpcException.class, () -> idle.call(new Echo("x", 1)));
        assertTrue(e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.CONNECTION_LOST, e.toString());
    }

    @Test
    void noDaemonNamesTheSocketAndTheStartCommand() {
        CoreClient c = CoreClient.builder().socket(dir.resolve("missing.sock")).build();
        clients.add(c);
        RpcException e = assertThrows(RpcException.class, () -> c.call(new Echo("x", 1)));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("missing.sock") && e.getMessage().contains("no Demo daemon")
                && e.getMessage().contains("`demo start`"), e.getMessage());
    }
}
