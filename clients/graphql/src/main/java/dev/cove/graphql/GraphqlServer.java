package dev.cove.graphql;

import dev.cove.rpc.instance.InstancePaths;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Cove's GraphQL server: GraphiQL on {@code /}, GraphQL over HTTP and over WebSocket
 * ({@code graphql-transport-ws}) on {@code /graphql}, backed by one connection to a daemon.
 *
 * <pre>{@code
 * try (GraphqlServer server = GraphqlServer.start(GraphqlServer.Options.defaults(paths))) {
 *     System.out.println(server.uri());
 * }
 * }</pre>
 */
public final class GraphqlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GraphqlServer.class);

    /**
     * How to run. {@code token} null means a random one is generated at start; either way it is written
     * to {@link TokenFile#of} and required on every request. {@code noAuth} turns the token off and is
     * only accepted on a loopback bind; {@code allowHosts}/{@code allowOrigins} widen the Host and Origin
     * checks.
     */
    public record Options(InstancePaths instance, String bind, int port, String token, boolean noAuth,
                          boolean autoStart, Set<String> allowHosts, Set<String> allowOrigins, int maxDepth,
                          int maxComplexity, long maxBody, Duration callTimeout, Duration initTimeout) {
        public Options {
            allowHosts = Set.copyOf(allowHosts);
            allowOrigins = Set.copyOf(allowOrigins);
        }

        /** 127.0.0.1:8080, auto-start, depth 15, complexity 5,000, 1 MiB bodies, 2 min calls, 10 s init. */
        public static Options defaults(InstancePaths instance) {
            return new Options(instance, "127.0.0.1", 8080, null, false, true, Set.of(), Set.of(), 15, 5000, 1 << 20,
                    Duration.ofMinutes(2), Duration.ofSeconds(10));
        }

        public Options withPort(int port) {
            return new Options(instance, bind, port, token, noAuth, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withBind(String bind, String token) {
            return new Options(instance, bind, port, token, noAuth, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        /** The token to require (null: generate one at start). */
        public Options withToken(String token) {
            return new Options(instance, bind, port, token, noAuth, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        /** No token at all: any local user can then drive the daemon. Loopback binds only. */
        public Options withNoAuth(boolean noAuth) {
            return new Options(instance, bind, port, token, noAuth, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withAutoStart(boolean autoStart) {
            return new Options(instance, bind, port, token, noAuth, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withLimits(int maxDepth, int maxComplexity, long maxBody) {
            return new Options(instance, bind, port, token, noAuth, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withInitTimeout(Duration initTimeout) {
            return new Options(instance, bind, port, token, noAuth, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withAllowed(Set<String> hosts, Set<String> origins) {
            return new Options(instance, bind, port, token, noAuth, autoStart, hosts, origins, maxDepth, maxComplexity,
                    maxBody, callTimeout, initTimeout);
        }
    }

    private final Server jetty;
    private final DaemonLink link;
    private final ExecutorService calls;
    private final ScheduledExecutorService timer;
    private final String host;
    private final String token;
    private final java.nio.file.Path tokenFile;
    /** Our hold on the token file; null when another running server of the instance holds it (or --no-auth). */
    private final TokenFile.Claim claim;

    private GraphqlServer(Server jetty, DaemonLink link, ExecutorService calls, ScheduledExecutorService timer,
                          String host, String token, java.nio.file.Path tokenFile, TokenFile.Claim claim) {
        this.claim = claim;
        this.token = token;
        this.tokenFile = tokenFile;
        this.jetty = jetty;
        this.link = link;
        this.calls = calls;
        this.timer = timer;
        this.host = host;
    }

    /** Starts the server; the daemon connection is made (or retried) in the background. */
    public static GraphqlServer start(Options o) throws Exception {
        boolean loopback = isLoopback(o.bind());
        String token = null;
        java.nio.file.Path tokenFile = null;
        TokenFile.Claim claim = null;
        boolean sharesFile = false;
        if (o.noAuth()) {
            if (!loopback) {
                throw new IllegalArgumentException("--no-auth is only allowed on a loopback bind, not on " + o.bind());
            }
            log.warn("GraphQL server WITHOUT a token (--no-auth): any local user who can reach {}:{} can drive "
                    + "your daemon as you (read, move and delete your files, stop it)", o.bind(), o.port());
        } else {
            // loopback is not a credential: every other user of this machine can reach 127.0.0.1
            tokenFile = TokenFile.of(o.instance());
            try {
                claim = TokenFile.claim(tokenFile);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot use the token folder " + tokenFile.getParent() + ": "
                        + e.getMessage(), e);
            }
            String running = claim == null ? TokenFile.read(tokenFile) : null;
            if (claim != null) {
                // the lock was free, so whoever wrote a file there is gone: remove it now, so that a port we then
                // fail to bind (taken, perhaps by another user's listener) leaves no token behind for curl to send
                TokenFile.removeStale(tokenFile);
                token = o.token() == null || o.token().isBlank() ? TokenFile.generate() : o.token();
            } else if (o.token() == null || o.token().isBlank()) {
                // another server of this instance runs and its token is in the file: share it, so that the
                // documented curl ($(cat token file)) works against both
                token = running != null ? running : TokenFile.generate();
            } else {
                token = o.token();
            }
            if (claim == null) {
                log.info("another GraphQL server of instance '{}' holds the token file {}; {}", o.instance().instance(),
                        tokenFile, token.equals(running) ? "this one requires the same token"
                                : "this one requires its own token and leaves that file alone");
                sharesFile = token.equals(running);
            }
        }
        try {
            return listen(o, loopback, token, tokenFile, claim, sharesFile);
        } catch (Exception | Error e) {
            if (claim != null) {
                claim.close();
            }
            throw e;
        }
    }

    /** Binds the port and, once it is ours, writes the token file (when {@code claim} says we keep it). */
    private static GraphqlServer listen(Options o, boolean loopback, String token, java.nio.file.Path tokenFile,
                                        TokenFile.Claim claim, boolean sharesFile) throws Exception {
        Set<String> hosts = new HashSet<>(o.allowHosts());
        if (!loopback) {
            hosts.add(Guard.hostName(o.bind().contains(":") ? "[" + o.bind() + "]" : o.bind()));
        }
        Guard guard = new Guard(hosts, o.allowOrigins(), token);
        // daemon calls block on the socket's answer, not on socket I/O, so virtual threads suit them
        ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "graphql-timer");
            t.setDaemon(true);
            return t;
        });
        Engine[] engine = new Engine[1];
        DaemonLink link = new DaemonLink(o.instance(), o.autoStart(), o.callTimeout(), calls,
                schema -> engine[0].install(schema));
        engine[0] = new Engine(new Engine.Limits(o.maxDepth(), o.maxComplexity(), 15_000),
                SchemaFactory.placeholder(link::info));

        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("graphql-http");
        // requests wait for the daemon's answers; on virtual threads a burst of slow calls cannot use up the pool
        pool.setVirtualThreadsExecutor(calls);
        Server jetty = new Server(pool);
        ServerConnector connector = new ServerConnector(jetty);
        // Jetty's per-connection header cache matches values case-insensitively by default, so after one request
        // with the right token, the same token in another case would come back as the cached right one
        connector.getConnectionFactory(org.eclipse.jetty.server.HttpConnectionFactory.class).getHttpConfiguration()
                .setHeaderCacheCaseSensitive(true);
        connector.setHost(o.bind());
        connector.setPort(o.port());
        jetty.addConnector(connector);
        ServerWebSocketContainer ws = ServerWebSocketContainer.ensure(jetty);
        ws.setMaxTextMessageSize(o.maxBody());
        ws.setIdleTimeout(Duration.ofMinutes(30));
        WebSocketCreator creator = (req, resp, cb) -> {
            boolean ok = req.hasSubProtocol(TransportWs.SUBPROTOCOL);
            if (ok) {
                resp.setAcceptedSubProtocol(TransportWs.SUBPROTOCOL);
            }
            String auth = req.getHeaders().get("Authorization");
            return new TransportWs(engine[0], guard, auth != null && guard.tokenMatches(auth), ok, timer, o.initTimeout());
        };
        jetty.setHandler(new HttpFront(engine[0], link, guard, o.maxBody(), o.callTimeout().toMillis() + 5000, ws, creator,
                o.instance().instance()));
        try {
            jetty.start();
        } catch (Exception e) {
            // nothing was written: a server already running on the port (or of the instance) keeps its token file
            stopQuietly(jetty);
            link.close();
            calls.shutdownNow();
            timer.shutdownNow();
            throw e;
        }
        GraphqlServer server = new GraphqlServer(jetty, link, calls, timer, o.bind(), token,
                claim != null || sharesFile ? tokenFile : null, claim);
        try {
            if (claim != null) {
                // only now, with the port ours, does the file name a server that answers with this token
                try {
                    TokenFile.write(tokenFile, token);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot write the token file " + tokenFile + ": "
                            + e.getMessage(), e);
                }
            }
            link.start();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        log.info("GraphQL server on {} (GraphiQL at /, endpoint /graphql, Prometheus /metrics) for instance '{}'", server.uri(),
                o.instance().instance());
        return server;
    }

    static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the bind address '" + bind + "'", e);
        }
    }

    /** The port the server listens on (the real one when started with port 0). */
    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** The GraphiQL page's address. */
    public URI uri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if (h.equals("0.0.0.0") || h.equals("[::]")) {
            h = "127.0.0.1";
        }
        return URI.create("http://" + h + ":" + port() + "/");
    }

    /** The token every request must carry; null only with {@code --no-auth}. */
    public String token() {
        return token;
    }

    /**
     * The 0600 file holding {@link #token()}; null with {@code --no-auth}, and when another running server of the
     * instance keeps its own, different token there.
     */
    public java.nio.file.Path tokenFile() {
        return tokenFile;
    }

    /** Whether the server is connected to a daemon and has its schema. */
    public boolean daemonConnected() {
        return link.isConnected();
    }

    @Override
    public void close() {
        if (claim != null) {
            // first: from here on no server answers with this token
            TokenFile.removeIfOurs(tokenFile, token);
        }
        stopQuietly(jetty);
        link.close();
        calls.shutdownNow();
        timer.shutdownNow();
        if (claim != null) {
            claim.close();
        }
    }

    private static void stopQuietly(Server jetty) {
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("stopping Jetty: {}", e.toString());
        }
    }
}
