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
     * How to run. {@code token} must be set when {@code bind} is not a loopback address;
     * {@code allowHosts}/{@code allowOrigins} widen the Host and Origin checks.
     */
    public record Options(InstancePaths instance, String bind, int port, String token, boolean autoStart,
                          Set<String> allowHosts, Set<String> allowOrigins, int maxDepth, int maxComplexity,
                          long maxBody, Duration callTimeout, Duration initTimeout) {
        public Options {
            allowHosts = Set.copyOf(allowHosts);
            allowOrigins = Set.copyOf(allowOrigins);
        }

        /** 127.0.0.1:8080, auto-start, depth 15, complexity 5,000, 1 MiB bodies, 2 min calls, 10 s init. */
        public static Options defaults(InstancePaths instance) {
            return new Options(instance, "127.0.0.1", 8080, null, true, Set.of(), Set.of(), 15, 5000, 1 << 20,
                    Duration.ofMinutes(2), Duration.ofSeconds(10));
        }

        public Options withPort(int port) {
            return new Options(instance, bind, port, token, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withBind(String bind, String token) {
            return new Options(instance, bind, port, token, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withAutoStart(boolean autoStart) {
            return new Options(instance, bind, port, token, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withLimits(int maxDepth, int maxComplexity, long maxBody) {
            return new Options(instance, bind, port, token, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withInitTimeout(Duration initTimeout) {
            return new Options(instance, bind, port, token, autoStart, allowHosts, allowOrigins, maxDepth,
                    maxComplexity, maxBody, callTimeout, initTimeout);
        }

        public Options withAllowed(Set<String> hosts, Set<String> origins) {
            return new Options(instance, bind, port, token, autoStart, hosts, origins, maxDepth, maxComplexity,
                    maxBody, callTimeout, initTimeout);
        }
    }

    private final Server jetty;
    private final DaemonLink link;
    private final ExecutorService calls;
    private final ScheduledExecutorService timer;
    private final String host;

    private GraphqlServer(Server jetty, DaemonLink link, ExecutorService calls, ScheduledExecutorService timer,
                          String host) {
        this.jetty = jetty;
        this.link = link;
        this.calls = calls;
        this.timer = timer;
        this.host = host;
    }

    /** Starts the server; the daemon connection is made (or retried) in the background. */
    public static GraphqlServer start(Options o) throws Exception {
        boolean loopback = isLoopback(o.bind());
        if (!loopback && (o.token() == null || o.token().isBlank())) {
            throw new IllegalArgumentException("binding to " + o.bind() + " (beyond loopback) requires a token");
        }
        Set<String> hosts = new HashSet<>(o.allowHosts());
        if (!loopback) {
            hosts.add(Guard.hostName(o.bind().contains(":") ? "[" + o.bind() + "]" : o.bind()));
        }
        Guard guard = new Guard(hosts, o.allowOrigins(), o.token());
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
        jetty.setHandler(new HttpFront(engine[0], guard, o.maxBody(), o.callTimeout().toMillis() + 5000, ws, creator));
        jetty.start();
        GraphqlServer server = new GraphqlServer(jetty, link, calls, timer, o.bind());
        link.start();
        log.info("GraphQL server on {} (GraphiQL at /, endpoint /graphql) for instance '{}'", server.uri(),
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

    /** Whether the server is connected to a daemon and has its schema. */
    public boolean daemonConnected() {
        return link.isConnected();
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("stopping Jetty: {}", e.toString());
        }
        link.close();
        calls.shutdownNow();
        timer.shutdownNow();
    }
}
