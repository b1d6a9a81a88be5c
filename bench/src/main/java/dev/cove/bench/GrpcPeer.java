package dev.cove.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The stack a Java developer would otherwise pick: gRPC-java on Netty epoll Unix domain sockets, one
 * unary method whose request and response are raw bytes (a byte[] marshaller, no protoc, no message
 * encoding at all — which flatters gRPC slightly against Cove, which encodes records). The server runs the
 * handler on its event loop ({@code directExecutor}), the usual tuning for non-blocking handlers.
 */
final class GrpcPeer implements AutoCloseable {
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "Echo"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private final Path socket;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final EventLoopGroup clientLoops;
    private final Server server;

    GrpcPeer(Path socket) throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("netty epoll is not available", Epoll.unavailabilityCause());
        }
        this.socket = socket;
        boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(0, EpollIoHandler.newFactory());
        clientLoops = new MultiThreadIoEventLoopGroup(0, EpollIoHandler.newFactory());
        ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((byte[] req, io.grpc.stub.StreamObserver<byte[]> out) -> {
                    out.onNext(req);
                    out.onCompleted();
                }))
                .build();
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss).workerEventLoopGroup(workers)
                .directExecutor() // the handler never blocks: run it on the event loop (gRPC's own advice)
                .addService(service).build().start();
    }

    /** A new connection (channel) to the peer. */
    ManagedChannel channel() {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(clientLoops)
                .usePlaintext().build();
    }

    static byte[] call(ManagedChannel ch, byte[] request) {
        return ClientCalls.blockingUnaryCall(ch, ECHO, CallOptions.DEFAULT, request);
    }

    static void close(ManagedChannel ch) {
        ch.shutdownNow();
        try {
            ch.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
