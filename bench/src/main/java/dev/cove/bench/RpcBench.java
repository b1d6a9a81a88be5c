package dev.cove.bench;

import dev.cove.rpc.CallContext;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.Event;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Method;
import dev.cove.rpc.Query;
import dev.cove.rpc.Request;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.rpc.server.EventHub;
import dev.cove.rpc.server.HandlerFactory;
import dev.cove.rpc.server.OperationRegistry;
import dev.cove.rpc.server.RpcServer;
import dev.cove.rpc.server.ServerConfig;
import dev.cove.rpc.wire.Protocol;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Issue 7's in-process RPC figures: round-trip latency and throughput of a small query through
 * {@link CoreClient} (Kryo and JSON) against an in-process {@link RpcServer} on a Unix socket, each
 * next to a raw Unix-socket echo of a line of the same size in the same JVM (the floor); then event
 * fan-out from one in-process publisher to 1, 10 and 100 subscribers. Plain nanoTime timing.
 */
final class RpcBench {
    private RpcBench() {
    }

    // ---- the tiny domain served ----
    @Method("query:bench.echo.v1")
    public record Echo(String text, int n) implements Request<Echoed> {
    }

    public record Echoed(String text, int n) {
    }

    public record Tick(String topic, int index) implements Event {
    }

    @Query("bench.echo")
    public static final class EchoOp implements Handler<Echo, Echoed> {
        @Override
        public Echoed handle(Echo in, CallContext ctx) {
            return new Echoed(in.text(), in.n());
        }
    }

    static final EventTypes TYPES = EventTypes.of(List.of(Tick.class));

    static void main(List<String> args) throws Exception {
        int calls = 200_000;
        int warmup = 30_000;
        double seconds = 2.0;
        int threadsPerConnection = 4;
        int events = 200_000;
        List<String> parts = new ArrayList<>();
        boolean metrics = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--calls" -> calls = Integer.parseInt(args.get(++i));
                case "--warmup" -> warmup = Integer.parseInt(args.get(++i));
                case "--seconds" -> seconds = Double.parseDouble(args.get(++i));
                case "--threads" -> threadsPerConnection = Integer.parseInt(args.get(++i));
                case "--events" -> events = Integer.parseInt(args.get(++i));
                case "--metrics" -> metrics = true;
                case "latency", "throughput", "fanout" -> parts.add(args.get(i));
                default -> throw new IllegalArgumentException("unknown option " + args.get(i));
            }
        }
        if (parts.isEmpty()) {
            parts = List.of("latency", "throughput", "fanout");
        }
        // the server runs in this JVM: keep its per-connection debug lines out of the figures
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
            // netty warns per connection that SO_KEEPALIVE (set by grpc-netty) does not apply to Unix sockets
            root.getLoggerContext().getLogger("io.netty.bootstrap").setLevel(ch.qos.logback.classic.Level.ERROR);
        }
        Path dir = Files.createTempDirectory("cove-bench-rpc");
        Path coveSock = dir.resolve("cove.sock");
        Path rawSock = dir.resolve("raw.sock");
        OperationRegistry registry = OperationRegistry.builder(HandlerFactory.noArgs(),
                Protocol.DEFAULT_MAX_FRAME_BYTES).add(EchoOp.class).build();
        EventHub hub = new EventHub(TYPES);
        // --metrics: count every call for Prometheus as the daemon does, to see what that costs a round trip
        dev.cove.rpc.server.ServerListener listener = null;
        if (metrics) {
            dev.cove.daemon.metrics.DaemonMetrics m = new dev.cove.daemon.metrics.DaemonMetrics(
                    new dev.cove.daemon.metrics.DaemonMetrics.Sources(hub, () -> null, null, null, () -> null,
                            () -> null), dev.cove.daemon.metrics.DaemonMetrics.DEFAULT_MAX_SERIES);
            listener = new dev.cove.rpc.server.ServerListener() {
                @Override
                public void callEnded(String method, dev.cove.rpc.ErrorCode error, long nanos) {
                    m.callEnded(method, error, nanos);
                }
            };
        }
        RpcServer server = new RpcServer(ServerConfig.defaults(coveSock, coveSock, "bench", "1", "bench"),
                registry, hub, listener);
        server.start();
        RawEchoServer raw = new RawEchoServer(rawSock);
        GrpcPeer grpc = new GrpcPeer(dir.resolve("grpc.sock"));
        try {
            System.out.printf("rpc: in-process RpcServer vs raw Unix-socket echo, JDK %s, %d CPUs (load %s)%s%n",
                    Runtime.version(), Runtime.getRuntime().availableProcessors(), SessionsBench.Load.now(),
                    metrics ? ", every call counted for Prometheus" : "");
            Echo request = new Echo("hello, cove", 42);
            int lineBytes = jsonRequestBytes(request);
            System.out.printf("  raw echo line: %d bytes (the size of Cove's JSON call frame for the same query)%n",
                    lineBytes);
            if (parts.contains("latency")) {
                latency(coveSock, rawSock, grpc, request, lineBytes, calls, warmup);
            }
            if (parts.contains("throughput")) {
                throughput(coveSock, rawSock, grpc, request, lineBytes, seconds, threadsPerConnection);
            }
            if (parts.contains("fanout")) {
                fanout(coveSock, hub, events);
            }
            System.out.printf("  (load at end %s)%n", SessionsBench.Load.now());
        } finally {
            server.stop();
            raw.close();
            grpc.close();
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Length of the JSON call line CoreClient would send, approximated from the same fields. */
    static int jsonRequestBytes(Echo request) {
        String line = "{\"id\":123456,\"type\":\"call\",\"method\":\"query:bench.echo.v1\",\"payload\":{\"text\":\""
                + request.text() + "\",\"n\":" + request.n() + "}}";
        return line.getBytes(StandardCharsets.UTF_8).length + 1;
    }

    static CoreClient client(Path sock, Encoding encoding) {
        CoreClient c = CoreClient.builder().socket(sock).encoding(encoding).events(TYPES)
                .timeout(Duration.ofSeconds(30)).build();
        c.connect();
        return c;
    }

    // ---- latency ----

    static void latency(Path coveSock, Path rawSock, GrpcPeer grpc, Echo request, int lineBytes, int calls,
                        int warmup) throws Exception {
        System.out.printf("%n  round trip, one caller, %,d calls after %,d warm-up (microseconds)%n", calls, warmup);
        long[] rawT;
        try (RawEchoClient rc = new RawEchoClient(rawSock, lineBytes)) {
            for (int i = 0; i < warmup; i++) {
                rc.roundTrip();
            }
            rawT = new long[calls];
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                rc.roundTrip();
                rawT[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(rawT);
        System.out.printf("  %-28s %9s %9s %9s %9s%n", "", "p50", "p99", "p99.9", "mean");
        printLatency("raw echo (floor)", rawT, rawT);
        StringBuilder coveVsGrpc = new StringBuilder();
        long[] grpcT = new long[calls];
        io.grpc.ManagedChannel ch = grpc.channel();
        try {
            byte[] req = new byte[lineBytes];
            Arrays.fill(req, (byte) 'x');
            for (int i = 0; i < warmup; i++) {
                GrpcPeer.call(ch, req);
            }
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                GrpcPeer.call(ch, req);
                grpcT[i] = System.nanoTime() - t0;
            }
        } finally {
            GrpcPeer.close(ch);
        }
        Arrays.sort(grpcT);
        printLatency("gRPC-java (epoll UDS, byte[])", grpcT, rawT);
        for (Encoding e : new Encoding[]{Encoding.KRYO, Encoding.JSON}) {
            try (CoreClient c = client(coveSock, e)) {
                for (int i = 0; i < warmup; i++) {
                    c.call(request);
                }
                long[] t = new long[calls];
                for (int i = 0; i < calls; i++) {
                    long t0 = System.nanoTime();
                    Echoed out = c.call(request);
                    t[i] = System.nanoTime() - t0;
                    if (out.n() != request.n()) {
                        throw new IllegalStateException("wrong answer " + out);
                    }
                }
                Arrays.sort(t);
                printLatency("CoreClient " + e.name(), t, rawT);
                coveVsGrpc.append(String.format("  CoreClient %s vs gRPC-java: p50 %.2fx, p99 %.2fx, p99.9 %.2fx "
                                + "(below 1 = Cove faster)%n", e.name(), (double) pct(t, 50) / pct(grpcT, 50),
                        (double) pct(t, 99) / pct(grpcT, 99), (double) pct(t, 99.9) / pct(grpcT, 99.9)));
            }
        }
        System.out.print(coveVsGrpc);
    }

    static long pct(long[] sorted, double p) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)];
    }

    static void printLatency(String name, long[] t, long[] base) {
        double mean = Arrays.stream(t).average().orElse(0) / 1000.0;
        double bmean = Arrays.stream(base).average().orElse(0) / 1000.0;
        System.out.printf("  %-28s %9s %9s %9s %9s%n", name,
                us(pct(t, 50), pct(base, 50)), us(pct(t, 99), pct(base, 99)), us(pct(t, 99.9), pct(base, 99.9)),
                String.format("%.1f", mean) + (t == base ? "" : String.format(" (%.1fx)", mean / bmean)));
    }

    static String us(long nanos, long baseNanos) {
        return String.format("%.1f", nanos / 1000.0)
                + (nanos == baseNanos ? "" : String.format(" (%.1fx)", (double) nanos / baseNanos));
    }

    // ---- throughput ----

    static void throughput(Path coveSock, Path rawSock, GrpcPeer grpc, Echo request, int lineBytes,
                           double seconds, int threadsPerConnection) throws Exception {
        System.out.printf("%n  throughput, %.1f s per figure (after a %.1f s warm-up); Cove: %d threads per connection, "
                + "raw: 1 thread per connection, gRPC: %d threads per channel (calls/s, %% of raw)%n", seconds, seconds / 2,
                threadsPerConnection, threadsPerConnection);
        System.out.printf("  %-12s %12s %22s %22s %22s%n", "connections", "raw echo", "CoreClient KRYO",
                "CoreClient JSON", "gRPC-java");
        for (int conns : new int[]{1, 4, 16, 64}) {
            double rawRate = rawThroughput(rawSock, lineBytes, conns, seconds);
            double kryo = coveThroughput(coveSock, Encoding.KRYO, request, conns, threadsPerConnection, seconds);
            double json = coveThroughput(coveSock, Encoding.JSON, request, conns, threadsPerConnection, seconds);
            double g = grpcThroughput(grpc, lineBytes, conns, threadsPerConnection, seconds);
            System.out.printf("  %-12d %,12.0f %,14.0f (%3.0f%%) %,14.0f (%3.0f%%) %,14.0f (%3.0f%%)%n", conns, rawRate,
                    kryo, 100 * kryo / rawRate, json, 100 * json / rawRate, g, 100 * g / rawRate);
        }
    }

    interface Caller {
        void call() throws Exception;
    }

    /** Runs every caller on its own platform thread: warm-up, then counts calls for {@code seconds}. */
    static double run(List<Caller> callers, double seconds) throws Exception {
        LongAdder count = new LongAdder();
        long warmNanos = (long) (seconds / 2 * 1e9);
        long measureNanos = (long) (seconds * 1e9);
        CountDownLatch ready = new CountDownLatch(callers.size());
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime() + 50_000_000L; // all threads created first
        window[0] = start + warmNanos;
        window[1] = window[0] + measureNanos;
        Throwable[] failure = new Throwable[1];
        for (Caller c : callers) {
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                ready.countDown();
                try {
                    long n = 0;
                    long now;
                    while ((now = System.nanoTime()) < window[1]) {
                        c.call();
                        if (now >= window[0]) {
                            n++;
                        }
                    }
                    count.add(n);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("a caller failed", failure[0]);
        }
        return count.sum() / seconds;
    }

    static double rawThroughput(Path rawSock, int lineBytes, int conns, double seconds) throws Exception {
        List<RawEchoClient> clients = new ArrayList<>();
        try {
            List<Caller> callers = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                RawEchoClient rc = new RawEchoClient(rawSock, lineBytes);
                clients.add(rc);
                callers.add(rc::roundTrip);
            }
            return run(callers, seconds);
        } finally {
            for (RawEchoClient rc : clients) {
                rc.close();
            }
        }
    }

    static double grpcThroughput(GrpcPeer grpc, int lineBytes, int conns, int threads, double seconds)
            throws Exception {
        List<io.grpc.ManagedChannel> channels = new ArrayList<>();
        byte[] req = new byte[lineBytes];
        Arrays.fill(req, (byte) 'x');
        try {
            List<Caller> callers = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                io.grpc.ManagedChannel ch = grpc.channel();
                channels.add(ch);
                for (int t = 0; t < threads; t++) {
                    callers.add(() -> GrpcPeer.call(ch, req));
                }
            }
            return run(callers, seconds);
        } finally {
            channels.forEach(GrpcPeer::close);
        }
    }

    static double coveThroughput(Path sock, Encoding e, Echo request, int conns, int threads, double seconds)
            throws Exception {
        List<CoreClient> clients = new ArrayList<>();
        try {
            List<Caller> callers = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                CoreClient c = client(sock, e);
                clients.add(c);
                for (int t = 0; t < threads; t++) {
                    callers.add(() -> c.call(request));
                }
            }
            return run(callers, seconds);
        } finally {
            clients.forEach(CoreClient::close);
        }
    }

    // ---- fan-out ----

    static void fanout(Path sock, EventHub hub, int events) throws Exception {
        System.out.printf("%n  event fan-out: one in-process publisher (EventHub.publish), %,d events, "
                + "each subscriber its own CoreClient (Kryo) reading on its own thread%n", events);
        System.out.println("  burst (publisher as fast as it can):");
        fanoutRounds(sock, hub, events, 0);
        int paced = 100_000;
        System.out.printf("  paced at %,d events/s published (issue 7's target: 1,000,000/s delivered to 10 "
                + "subscribers, none lost):%n", paced);
        fanoutRounds(sock, hub, Math.min(events, paced), paced);
    }

    static void fanoutRounds(Path sock, EventHub hub, int events, int ratePerSecond) throws Exception {
        System.out.printf("  %-12s %16s %16s %10s %s%n", "subscribers", "delivered/s", "publish/s", "time s",
                "lost per subscriber (min / max)");
        for (int subs : new int[]{1, 10, 100}) {
            List<CoreClient> clients = new ArrayList<>();
            List<EventStream> streams = new ArrayList<>();
            try {
                for (int i = 0; i < subs; i++) {
                    CoreClient c = client(sock, Encoding.KRYO);
                    clients.add(c);
                    streams.add(c.subscribe(EventFilter.NONE, Tick.class));
                }
                while (hub.size() < subs) {
                    Thread.sleep(5);
                }
                long[] delivered = new long[subs];
                long[] lost = new long[subs];
                long[] done = new long[subs];
                List<Thread> readers = new ArrayList<>();
                for (int i = 0; i < subs; i++) {
                    int k = i;
                    EventStream s = streams.get(i);
                    readers.add(Thread.ofPlatform().daemon().start(() -> {
                        try {
                            while (delivered[k] + lost[k] < events) {
                                StreamItem item = s.poll(Duration.ofSeconds(5));
                                if (item == null || item instanceof StreamItem.Ended) {
                                    break;
                                }
                                if (item instanceof StreamItem.Delivered) {
                                    delivered[k]++;
                                } else if (item instanceof StreamItem.Lagged l) {
                                    lost[k] += l.missed();
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        done[k] = System.nanoTime();
                    }));
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < events; i++) {
                    if (ratePerSecond > 0 && (i & 63) == 0) {
                        long due = t0 + (long) i * 1_000_000_000L / ratePerSecond;
                        while (System.nanoTime() < due) {
                            Thread.onSpinWait(); // pacing is the workload here, not a wait for a condition
                        }
                    }
                    hub.publish(new Tick("t", i));
                }
                long published = System.nanoTime();
                for (Thread t : readers) {
                    t.join();
                }
                long end = Arrays.stream(done).max().orElse(published);
                long total = Arrays.stream(delivered).sum();
                double secs = (end - t0) / 1e9;
                long unaccounted = 0;
                for (int i = 0; i < subs; i++) {
                    unaccounted += events - delivered[i] - lost[i];
                }
                System.out.printf("  %-12d %,16.0f %,16.0f %10.2f %,d / %,d%s%n", subs, total / secs,
                        events / ((published - t0) / 1e9), secs, Arrays.stream(lost).min().orElse(0),
                        Arrays.stream(lost).max().orElse(0),
                        unaccounted > 0 ? String.format("  (%,d neither delivered nor reported lost)", unaccounted)
                                : "");
            } finally {
                streams.forEach(EventStream::close);
                clients.forEach(CoreClient::close);
            }
            while (hub.size() > 0) {
                Thread.sleep(5);
            }
        }
    }

    // ---- raw Unix-socket echo: the floor ----

    /** Echoes each newline-terminated line back, one platform thread per connection. */
    static final class RawEchoServer implements AutoCloseable {
        private final ServerSocketChannel server;
        private final List<SocketChannel> accepted = new ArrayList<>();

        RawEchoServer(Path path) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Thread.ofPlatform().daemon().name("raw-echo-accept").start(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel ch = server.accept();
                        synchronized (accepted) {
                            accepted.add(ch);
                        }
                        Thread.ofPlatform().daemon().name("raw-echo").start(() -> serve(ch));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private static void serve(SocketChannel ch) {
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            try (ch) {
                while (true) {
                    int n = ch.read(buf);
                    if (n < 0) {
                        return;
                    }
                    // echo every complete line
                    int lastNewline = -1;
                    for (int i = buf.position() - 1; i >= 0; i--) {
                        if (buf.get(i) == '\n') {
                            lastNewline = i;
                            break;
                        }
                    }
                    if (lastNewline < 0) {
                        continue;
                    }
                    buf.flip();
                    ByteBuffer out = buf.duplicate();
                    out.limit(lastNewline + 1);
                    while (out.hasRemaining()) {
                        ch.write(out);
                    }
                    buf.position(lastNewline + 1);
                    buf.compact();
                }
            } catch (IOException e) {
                // connection closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (accepted) {
                for (SocketChannel ch : accepted) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
        }
    }

    /** A blocking client sending one line and reading it back; not thread-safe. */
    static final class RawEchoClient implements AutoCloseable {
        private final SocketChannel ch;
        private final ByteBuffer line;
        private final ByteBuffer in;

        RawEchoClient(Path path, int lineBytes) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(path));
            byte[] b = new byte[lineBytes];
            Arrays.fill(b, (byte) 'x');
            b[lineBytes - 1] = '\n';
            line = ByteBuffer.allocateDirect(lineBytes);
            line.put(b).flip();
            in = ByteBuffer.allocateDirect(lineBytes * 2);
        }

        void roundTrip() throws IOException {
            line.rewind();
            while (line.hasRemaining()) {
                ch.write(line);
            }
            in.clear();
            while (true) {
                if (ch.read(in) < 0) {
                    throw new IOException("echo server closed");
                }
                if (in.position() > 0 && in.get(in.position() - 1) == '\n') {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
