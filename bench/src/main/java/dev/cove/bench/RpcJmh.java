package dev.cove.bench;

import dev.cove.rpc.Encoding;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.server.EventHub;
import dev.cove.rpc.server.HandlerFactory;
import dev.cove.rpc.server.OperationRegistry;
import dev.cove.rpc.server.RpcServer;
import dev.cove.rpc.server.ServerConfig;
import dev.cove.rpc.wire.Protocol;
import io.grpc.ManagedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * JMH version of {@link RpcBench}'s round trip ({@code bin/bench jmh [JMH options]}): one caller, sample-time
 * mode (percentiles), raw Unix-socket echo (the floor), gRPC-java over epoll UDS, CoreClient Kryo and JSON,
 * all against servers in the benchmark JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class RpcJmh {
    private Path dir;
    private RpcServer server;
    private RpcBench.RawEchoServer raw;
    private GrpcPeer grpc;
    private RpcBench.RawEchoClient rawClient;
    private ManagedChannel channel;
    private CoreClient kryo;
    private CoreClient json;
    private byte[] line;
    private final RpcBench.Echo request = new RpcBench.Echo("hello, cove", 42);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
            root.getLoggerContext().getLogger("io.netty.bootstrap").setLevel(ch.qos.logback.classic.Level.ERROR);
        }
        dir = Files.createTempDirectory("cove-bench-jmh");
        Path sock = dir.resolve("cove.sock");
        OperationRegistry registry = OperationRegistry.builder(HandlerFactory.noArgs(),
                Protocol.DEFAULT_MAX_FRAME_BYTES).add(RpcBench.EchoOp.class).build();
        server = new RpcServer(ServerConfig.defaults(sock, sock, "bench", "1", "bench"), registry,
                new EventHub(RpcBench.TYPES), null);
        server.start();
        raw = new RpcBench.RawEchoServer(dir.resolve("raw.sock"));
        grpc = new GrpcPeer(dir.resolve("grpc.sock"));
        int lineBytes = RpcBench.jsonRequestBytes(request);
        rawClient = new RpcBench.RawEchoClient(dir.resolve("raw.sock"), lineBytes);
        line = new byte[lineBytes];
        Arrays.fill(line, (byte) 'x');
        channel = grpc.channel();
        kryo = RpcBench.client(sock, Encoding.KRYO);
        json = RpcBench.client(sock, Encoding.JSON);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        kryo.close();
        json.close();
        GrpcPeer.close(channel);
        rawClient.close();
        grpc.close();
        raw.close();
        server.stop();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public void rawEcho() throws Exception {
        rawClient.roundTrip();
    }

    @Benchmark
    public byte[] grpcJava() {
        return GrpcPeer.call(channel, line);
    }

    @Benchmark
    public Object coveKryo() {
        return kryo.call(request);
    }

    @Benchmark
    public Object coveJson() {
        return json.call(request);
    }
}
