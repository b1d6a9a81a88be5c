package dev.cove.rpc.server;

import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.PeerInfo;
import dev.cove.rpc.instance.FileTrust;
import dev.cove.rpc.wire.FrameBuilder;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves an {@link OperationRegistry} and an {@link EventHub} on a Unix domain socket.
 *
 * <p>Threads: one virtual thread accepts and one thread per connection reads. The first
 * {@code platformReaders} connections are read by platform threads, which the kernel wakes directly
 * when a frame arrives; later ones by virtual threads, which cost almost nothing while idle but wake
 * through the JDK's poller (about 20 µs more per round trip, measured in bench/). The last call of
 * each batch of frames runs on the reader itself, saving a thread hand-off; pipelined calls before it
 * run on virtual threads of their own, and a call that outlives {@link CallMonitor}'s hand-off delay
 * gets its connection a new reader, so a slow handler holds up nobody else.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    final ServerConfig config;
    final OperationRegistry registry;
    final EventHub hub;
    final ServerListener listener;
    final ExecutorService calls = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("call-", 0).factory());
    final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "rpc-timers");
        t.setDaemon(true);
        return t;
    });
    final CallMonitor monitor;
    private final AtomicInteger platformReaders = new AtomicInteger();
    final ConcurrentHashMap<Long, ServerConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong connectionIds = new AtomicLong();
    /**
     * Bytes all connections together may hold for frames beyond their small initial buffers
     * ({@code -Dcove.rpc.frameBudgetBytes}, default 256 MiB). Without it, each of 4,096 connections could
     * hold a 16 MiB partial frame.
     */
    static final long FRAME_BUDGET = Long.getLong("cove.rpc.frameBudgetBytes", 256L << 20);
    final AtomicLong frameBytes = new AtomicLong();
    final dev.cove.rpc.wire.LineReader.Budget frameBudget = new dev.cove.rpc.wire.LineReader.Budget() {
        @Override
        public boolean tryReserve(long bytes) {
            if (frameBytes.addAndGet(bytes) > FRAME_BUDGET) {
                frameBytes.addAndGet(-bytes);
                return false;
            }
            return true;
        }

        @Override
        public void release(long bytes) {
            frameBytes.addAndGet(-bytes);
        }
    };
    private final Instant startedAt = Instant.now();
    private ServerSocketChannel server;
    private String ownerName;
    /** Every admitted peer runs as the owner, so this is every peer's uid (-1 where the OS does not say). */
    long ownerUid = -1;
    private Thread acceptor;
    volatile boolean stopping;

    public RpcServer(ServerConfig config, OperationRegistry registry, EventHub hub, ServerListener listener) {
        this.config = config;
        this.registry = registry;
        this.hub = hub;
        this.listener = listener == null ? new ServerListener() { } : listener;
        // a call's timeout task is cancelled when the call answers, which is nearly always: without this,
        // every cancelled task would sit in the queue until its deadline (minutes), thousands per second
        timers.setRemoveOnCancelPolicy(true);
        this.monitor = new CallMonitor(this, config.inlineHandOff().toNanos());
    }

    /** Binds the socket (removing a leftover file: call this only while holding the instance lock). */
    public void start() throws IOException {
        Path socket = config.socket();
        // the daemon's owner is its own process's user, never a folder's: a daemon/ folder made by another user
        // must not make this daemon refuse its own user and admit that one (issue 18)
        ownerName = FileTrust.myName();
        ownerUid = FileTrust.myUid();
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(config.bindPath()), 512);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        monitor.start();
        acceptor = Thread.ofVirtual().name("rpc-accept").start(this::acceptLoop);
        log.info("listening on {}{}", socket, config.bindPath().equals(socket) ? "" : " (bound via " + config.bindPath() + ")");
    }

    public OperationRegistry registry() {
        return registry;
    }

    public EventHub hub() {
        return hub;
    }

    public ServerConfig config() {
        return config;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public List<PeerInfo> clients() {
        return connections.values().stream().map(c -> c.peer).filter(p -> p != null).toList();
    }

    public boolean isStopping() {
        return stopping;
    }

    private void acceptLoop() {
        while (!stopping) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!stopping) {
                    log.warn("accept failed: {}", e.toString());
                }
                continue;
            }
            try {
                admit(ch);
            } catch (IOException | RuntimeException e) {
                log.warn("could not set up a connection: {}", e.toString());
                closeQuietly(ch);
            }
        }
    }

    private void admit(SocketChannel ch) throws IOException {
        UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        if (!FileTrust.isMe(peer.user())) {
            log.warn("refused a connection from user {}: only {} may use this daemon", peer.user().getName(),
                    ownerName);
            refuse(ch, ErrorCode.UNAUTHORIZED, "this daemon belongs to " + ownerName
                    + "; connections from " + peer.user().getName() + " are refused");
            return;
        }
        if (stopping) {
            refuse(ch, ErrorCode.SHUTTING_DOWN, "the daemon is shutting down");
            return;
        }
        if (connections.size() >= config.maxConnections()) {
            log.warn("refused a connection: {} connections already open", connections.size());
            refuse(ch, ErrorCode.OVERLOADED, "the daemon already serves " + connections.size()
                    + " connections, its limit; close idle clients and retry");
            return;
        }
        long id = connectionIds.incrementAndGet();
        ServerConnection c = new ServerConnection(this, id, ch, peer.user().getName());
        connections.put(id, c);
        startReader(c, c::run);
    }

    /** Starts a thread to read {@code c}: a platform thread while the budget lasts, else a virtual one. */
    void startReader(ServerConnection c, Runnable body) {
        boolean platform = platformReaders.incrementAndGet() <= config.platformReaders();
        if (!platform) {
            platformReaders.decrementAndGet();
        }
        Runnable task = platform ? () -> {
            try {
                body.run();
            } finally {
                platformReaders.decrementAndGet();
            }
        } : body;
        (platform ? Thread.ofPlatform().daemon() : Thread.ofVirtual()).name("conn-" + c.id).start(task);
    }

    private static void refuse(SocketChannel ch, ErrorCode code, String message) {
        try {
            ch.write(ByteBuffer.wrap(FrameBuilder.of("error").value("error",
                    java.util.Map.of("code", code.name(), "message", message)).build()));
        } catch (IOException ignored) {
            // the peer may already be gone
        }
        closeQuietly(ch);
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    void removed(ServerConnection c) {
        connections.remove(c.id);
    }

    /**
     * Graceful stop: refuse new connections and calls, let running calls finish within the grace
     * period (then interrupt them), end every subscription with an end frame, close connections,
     * and delete the socket file.
     */
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        closeQuietly(server);
        try {
            Files.deleteIfExists(config.socket());
        } catch (IOException e) {
            log.warn("could not delete socket {}: {}", config.socket(), e.toString());
        }
        for (ServerConnection c : connections.values()) {
            c.awaitCalls(deadline);
        }
        for (ServerConnection c : connections.values()) {
            c.endSubscriptions("shutdown");
        }
        // one drain window for all subscribers, not one each: N slow readers must not add up to N windows
        long drained = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
        for (ServerConnection c : connections.values()) {
            c.awaitSubscriptions(drained);
            c.close();
        }
        calls.shutdownNow();
        timers.shutdownNow();
        monitor.stop();
        if (acceptor != null) {
            acceptor.interrupt();
        }
        log.info("server stopped");
    }

    @Override
    public void close() {
        stop();
    }
}
