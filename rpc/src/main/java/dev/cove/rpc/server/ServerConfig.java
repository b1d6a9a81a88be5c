package dev.cove.rpc.server;

import dev.cove.rpc.wire.Protocol;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How an {@link RpcServer} listens and what limits it enforces.
 *
 * @param socket          the socket file (deleted on stop)
 * @param bindPath        the path actually bound: {@code socket}, or a shorter path that leads to it
 * @param maxInFlight     calls one connection may have running; past it the server stops reading
 *                        that connection (back-pressure) rather than queueing without bound
 * @param subscriberQueue events buffered per subscription before the subscriber is told it lagged
 * @param platformReaders connections read by platform threads (fast wake-up); the rest by virtual threads
 * @param inlineHandOff   how long a call may run on its connection's reader before another thread takes
 *                        over reading that connection
 * @param build           the build of the code this server runs, sent in its hello ("" when unknown), so that a
 *                        client of another build can tell it holds stale code (see docs/cli.md, "Version skew")
 */
public record ServerConfig(Path socket, Path bindPath, String serverName, String serverVersion, String instance,
                           int maxFrameBytes, int maxInFlight, int maxConnections, int subscriberQueue,
                           Duration shutdownGrace, int platformReaders, Duration inlineHandOff, String build) {
    public ServerConfig {
        build = build == null ? "" : build;
    }

    public ServerConfig(Path socket, Path bindPath, String serverName, String serverVersion, String instance,
                        int maxFrameBytes, int maxInFlight, int maxConnections, int subscriberQueue,
                        Duration shutdownGrace, int platformReaders, Duration inlineHandOff) {
        this(socket, bindPath, serverName, serverVersion, instance, maxFrameBytes, maxInFlight, maxConnections,
                subscriberQueue, shutdownGrace, platformReaders, inlineHandOff, "");
    }

    public ServerConfig(Path socket, Path bindPath, String serverName, String serverVersion, String instance,
                        int maxFrameBytes, int maxInFlight, int maxConnections, int subscriberQueue,
                        Duration shutdownGrace) {
        this(socket, bindPath, serverName, serverVersion, instance, maxFrameBytes, maxInFlight, maxConnections,
                subscriberQueue, shutdownGrace, 64, Duration.ofMillis(1));
    }

    public static ServerConfig defaults(Path socket, Path bindPath, String serverName, String serverVersion,
                                        String instance) {
        return new ServerConfig(socket, bindPath, serverName, serverVersion, instance,
                Protocol.DEFAULT_MAX_FRAME_BYTES, 256, 4096, 4096, Duration.ofSeconds(10));
    }

    public ServerConfig withPlatformReaders(int readers) {
        return new ServerConfig(socket, bindPath, serverName, serverVersion, instance, maxFrameBytes, maxInFlight,
                maxConnections, subscriberQueue, shutdownGrace, readers, inlineHandOff, build);
    }

    public ServerConfig withMaxFrameBytes(int bytes) {
        return new ServerConfig(socket, bindPath, serverName, serverVersion, instance, bytes, maxInFlight,
                maxConnections, subscriberQueue, shutdownGrace, platformReaders, inlineHandOff, build);
    }

    public ServerConfig withSubscriberQueue(int events) {
        return new ServerConfig(socket, bindPath, serverName, serverVersion, instance, maxFrameBytes, maxInFlight,
                maxConnections, events, shutdownGrace, platformReaders, inlineHandOff, build);
    }

    public ServerConfig withShutdownGrace(Duration grace) {
        return new ServerConfig(socket, bindPath, serverName, serverVersion, instance, maxFrameBytes, maxInFlight,
                maxConnections, subscriberQueue, grace, platformReaders, inlineHandOff, build);
    }

    public ServerConfig withBuild(String build) {
        return new ServerConfig(socket, bindPath, serverName, serverVersion, instance, maxFrameBytes, maxInFlight,
                maxConnections, subscriberQueue, shutdownGrace, platformReaders, inlineHandOff, build);
    }
}
