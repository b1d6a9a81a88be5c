package dev.cove.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.Cove;
import dev.cove.api.libraries.DefaultLibrary;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.ServerHello;
import dev.cove.rpc.client.StreamItem;
import dev.cove.rpc.instance.InstancePaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The server's one connection to the daemon, and what keeps it alive. A supervisor thread connects,
 * generates the schema from {@code core.methods}, then watches the connection through a sentinel
 * subscription (a filter no event matches): when that subscription ends, the daemon went away. The
 * supervisor then waits for a daemon to answer again, reconnects and regenerates the schema, since a
 * restarted daemon may carry other plugins.
 *
 * <p>Auto-start, when enabled, happens on the first connection and on calls made while no daemon
 * runs, never from the supervisor: a daemon stopped on purpose ({@code cove shutdown}) stays stopped
 * until somebody actually uses the server.
 */
final class DaemonLink implements Daemon, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DaemonLink.class);

    private final InstancePaths paths;
    private final CoreClient client;
    private final Duration callTimeout;
    private final Executor executor;
    private final Consumer<CoveSchema> onSchema;
    private final AtomicReference<ServerHello> hello = new AtomicReference<>();
    private final AtomicReference<String> registry = new AtomicReference<>();
    private final AtomicReference<java.time.Instant> schemaBuiltAt = new AtomicReference<>();
    private final AtomicInteger reconnects = new AtomicInteger(-1);
    private volatile boolean closed;
    private volatile EventStream watch;
    private Thread supervisor;

    DaemonLink(InstancePaths paths, boolean autoStart, Duration callTimeout, Executor executor,
               Consumer<CoveSchema> onSchema) {
        this.paths = paths;
        this.callTimeout = callTimeout;
        this.executor = executor;
        this.onSchema = onSchema;
        // no .events(...): events stay JSON trees, which is what GraphQL serves
        CoreClient.Builder b = CoreClient.builder().instance(paths).clientName("cove-graphql", Cove.VERSION)
                .encoding(Encoding.JSON).timeout(callTimeout);
        if (autoStart) {
            b.autoStart();
        }
        this.client = b.build();
    }

    /**
     * Tries to connect once (starting the daemon if configured), then leaves reconnecting to the
     * supervisor. Returns whether the first connection worked.
     */
    boolean start() {
        boolean first;
        try {
            client.connect();
            load();
            first = true;
        } catch (RpcException e) {
            log.warn("no Cove daemon for instance '{}' yet: {} — will keep trying", paths.instance(), e.getMessage());
            first = false;
        }
        supervisor = Thread.ofPlatform().daemon().name("daemon-link").start(this::supervise);
        return first;
    }

    private void supervise() {
        long backoff = 50;
        while (!closed) {
            EventStream w = watch;
            if (w != null) {
                backoff = 50;
                String reason = awaitEnd(w);
                if (closed) {
                    return;
                }
                watch = null;
                log.warn("lost the Cove daemon ({}); reconnecting", reason);
                continue;
            }
            if (daemonAnswers()) {
                try {
                    load();
                    continue;
                } catch (RpcException e) {
                    log.debug("reconnect attempt failed: {}", e.getMessage());
                }
            }
            try {
                Thread.sleep(backoff); // retry interval while no daemon runs
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, 1000);
        }
    }

    private static String awaitEnd(EventStream w) {
        try {
            while (true) {
                if (w.next() instanceof StreamItem.Ended e) {
                    return e.reason();
                }
            }
        } catch (InterruptedException e) {
            return "closing";
        }
    }

    /** Whether a daemon answers on the socket, asked without starting one. */
    private boolean daemonAnswers() {
        try (CoreClient probe = CoreClient.builder().instance(paths).clientName("cove-graphql-probe", Cove.VERSION)
                .connectRetry(Duration.ZERO).timeout(Duration.ofSeconds(5)).build()) {
            probe.connect();
            return true;
        } catch (RpcException e) {
            return false;
        }
    }

    /**
     * Connects if needed, reads core.methods, publishes the new schema and arms the watch. A schema
     * that cannot be built (a plugin describing something GraphQL cannot hold) is logged and the
     * previous one kept, rather than losing the connection over it.
     */
    private synchronized void load() {
        ServerHello h = client.connect();
        JsonNode methods = client.callJson(SchemaFactory.METHODS, null, callTimeout);
        hello.set(h);
        try {
            CoveSchema schema = SchemaFactory.build(methods, this, executor, this::info);
            String before = registry.getAndSet(schema.registry());
            schemaBuiltAt.set(schema.builtAt());
            onSchema.accept(schema);
            // counted once the new schema serves, so that whoever sees the count also sees the schema
            int n = reconnects.incrementAndGet();
            if (n == 0) {
                log.info("connected to Cove daemon '{}' (pid {}, version {}): {} operations, {} event types",
                        h.instance(), h.pid(), h.version(), count(schema, false), count(schema, true));
            } else {
                log.info("reconnected to Cove daemon '{}' (pid {}); schema regenerated{}", h.instance(), h.pid(),
                        schema.registry().equals(before) ? "" : " (the daemon's methods changed)");
            }
        } catch (RuntimeException e) {
            reconnects.incrementAndGet();
            log.error("cannot build a GraphQL schema from the daemon's core.methods; keeping the previous one", e);
        }
        watch = client.subscribe(List.of("ClientConnected"), EventFilter.of("connectionId", "-1"));
    }

    private static long count(CoveSchema s, boolean events) {
        return s.operations().stream().filter(o -> o.type().equals("Subscription") == events).count();
    }

    /** What {@code _server} answers. */
    Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        ServerHello h = hello.get();
        m.put("connected", client.isConnected());
        m.put("instance", paths.instance());
        m.put("socket", client.socket().toString());
        m.put("daemonPid", h == null ? null : h.pid());
        m.put("daemonVersion", h == null ? null : h.version());
        m.put("registry", registry.get());
        java.time.Instant at = schemaBuiltAt.get();
        m.put("schemaBuiltAt", at == null ? null : at.toString());
        m.put("reconnects", Math.max(0, reconnects.get()));
        return m;
    }

    boolean isConnected() {
        return client.isConnected() && watch != null;
    }

    InstancePaths paths() {
        return paths;
    }

    @Override
    public JsonNode call(String method, JsonNode payload) {
        return client.callJson(method, payload, callTimeout);
    }

    @Override
    public String defaultLibrary() {
        try {
            return DefaultLibrary.of(System.getenv(), paths).read();
        } catch (java.io.IOException e) {
            throw new RpcException(dev.cove.rpc.ErrorCode.INVALID_INPUT, "cannot read the default library from "
                    + DefaultLibrary.of(System.getenv(), paths).file() + ": " + e.getMessage()
                    + "; pass library: \"NAME\"");
        }
    }

    @Override
    public EventStream subscribe(List<String> eventTypes, Map<String, String> filter) {
        return client.subscribe(eventTypes, new EventFilter(filter));
    }

    @Override
    public void close() {
        closed = true;
        if (supervisor != null) {
            supervisor.interrupt();
        }
        client.close();
    }
}
