package dev.cove.graphql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cove.rpc.RpcException;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One WebSocket connection speaking {@code graphql-transport-ws} (the protocol of the graphql-ws
 * library and Apollo): {@code connection_init}/{@code connection_ack}, {@code ping}/{@code pong},
 * {@code subscribe}/{@code next}/{@code error}/{@code complete}. Close codes follow the protocol:
 * 4400 bad message, 4401 subscribe before ack, 4403 bad token, 4406 wrong subprotocol, 4408 no
 * init in time, 4409 duplicate id, 4429 a second init.
 *
 * <p>Every operation's daemon subscription is cancelled when the client completes it or the socket
 * closes, for whatever reason.
 *
 * <p>Public only because Jetty binds the listener methods through method handles, which need a
 * public class; nothing else uses it.
 */
public final class TransportWs implements Session.Listener.AutoDemanding {
    static final String SUBPROTOCOL = "graphql-transport-ws";
    private static final Logger log = LoggerFactory.getLogger(TransportWs.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Engine engine;
    private final Guard guard;
    private final boolean authorizedByHeader;
    private final boolean subprotocolOk;
    private final ScheduledExecutorService timer;
    private final Duration initTimeout;
    private final AtomicBoolean initReceived = new AtomicBoolean();
    private volatile boolean acknowledged;
    private volatile Session session;
    private ScheduledFuture<?> initDeadline;
    /** Operations by client id: a placeholder until the result publisher is subscribed. */
    private final Map<String, Op> ops = new ConcurrentHashMap<>();

    private static final class Op {
        volatile Subscription subscription;
        volatile boolean done;

        void cancel() {
            done = true;
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    TransportWs(Engine engine, Guard guard, boolean authorizedByHeader, boolean subprotocolOk,
                ScheduledExecutorService timer, Duration initTimeout) {
        this.engine = engine;
        this.guard = guard;
        this.authorizedByHeader = authorizedByHeader;
        this.subprotocolOk = subprotocolOk;
        this.timer = timer;
        this.initTimeout = initTimeout;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        if (!subprotocolOk) {
            close(4406, "Subprotocol not acceptable: use " + SUBPROTOCOL);
            return;
        }
        initDeadline = timer.schedule(() -> {
            if (!initReceived.get()) {
                close(4408, "Connection initialisation timeout");
            }
        }, initTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onWebSocketText(String text) {
        JsonNode m;
        try {
            m = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            close(4400, "Invalid message received: not JSON");
            return;
        }
        if (m == null || !m.isObject() || !m.path("type").isTextual()) {
            close(4400, "Invalid message received: no type");
            return;
        }
        switch (m.get("type").asText()) {
            case "connection_init" -> init(m.get("payload"));
            case "ping" -> send(Map.of("type", "pong"));
            case "pong" -> {
                // an answer to a ping we never send; allowed by the protocol
            }
            case "subscribe" -> subscribe(m);
            case "complete" -> {
                Op op = ops.remove(m.path("id").asText(""));
                if (op != null) {
                    op.cancel();
                }
            }
            default -> close(4400, "Invalid message received: unknown type '" + m.get("type").asText() + "'");
        }
    }

    private void init(JsonNode payload) {
        if (!initReceived.compareAndSet(false, true)) {
            close(4429, "Too many initialisation requests");
            return;
        }
        if (initDeadline != null) {
            initDeadline.cancel(false);
        }
        if (payload != null && !payload.isNull() && !payload.isObject()) {
            close(4400, "Invalid message received: connection_init payload must be an object");
            return;
        }
        if (guard.tokenRequired() && !authorizedByHeader) {
            String token = null;
            if (payload != null && payload.isObject()) {
                for (String k : List.of("authorization", "Authorization", "token")) {
                    if (payload.path(k).isTextual()) {
                        token = payload.get(k).asText();
                        break;
                    }
                }
            }
            if (!guard.tokenMatches(token)) {
                close(4403, "Forbidden");
                return;
            }
        }
        acknowledged = true;
        send(Map.of("type", "connection_ack"));
    }

    private void subscribe(JsonNode m) {
        if (!acknowledged) {
            close(4401, "Unauthorized");
            return;
        }
        JsonNode idNode = m.get("id");
        JsonNode payload = m.get("payload");
        if (idNode == null || !idNode.isTextual() || idNode.asText().isEmpty() || payload == null || !payload.isObject()
                || !payload.path("query").isTextual()) {
            close(4400, "Invalid message received: subscribe needs an id and a payload with a query");
            return;
        }
        JsonNode vars = payload.get("variables");
        JsonNode on = payload.get("operationName");
        if (vars != null && !vars.isNull() && !vars.isObject() || on != null && !on.isNull() && !on.isTextual()) {
            close(4400, "Invalid message received: variables must be an object, operationName a string");
            return;
        }
        String id = idNode.asText();
        Op op = new Op();
        if (ops.putIfAbsent(id, op) != null) {
            close(4409, "Subscriber for " + id + " already exists");
            return;
        }
        LagCounter lag = new LagCounter();
        @SuppressWarnings("unchecked")
        Map<String, Object> variables = vars == null || vars.isNull() ? Map.of() : MAPPER.convertValue(vars, Map.class);
        engine.execute(payload.get("query").asText(), on == null || on.isNull() ? null : on.asText(), variables,
                Map.of(LagCounter.class, lag)).whenComplete((result, failure) -> {
            if (failure != null) {
                log.error("GraphQL execution failed", failure);
                finishWithError(id, op, List.of(errorMap("internal error: " + failure, "INTERNAL")));
                return;
            }
            if (result.getData() instanceof Publisher<?> p) {
                stream(id, op, p, lag);
            } else if (!result.isDataPresent() && !result.getErrors().isEmpty()) {
                // nothing ran (syntax, validation, limits): the protocol's error message. A subscription that fails to
                // start at the daemon has data (null) and goes out below as next + complete, as graphql-ws does
                finishWithError(id, op, result.getErrors().stream().map(GraphQLError::toSpecification).toList());
            } else {
                if (!op.done) {
                    send(Map.of("id", id, "type", "next", "payload", result.toSpecification()));
                }
                complete(id, op);
            }
        });
    }

    private void stream(String id, Op op, Publisher<?> publisher, LagCounter lag) {
        publisher.subscribe(new Subscriber<Object>() {
            @Override
            public void onSubscribe(Subscription s) {
                op.subscription = s;
                if (op.done) {
                    s.cancel(); // completed by the client, or the socket closed, while we were executing
                } else {
                    s.request(1);
                }
            }

            @Override
            public void onNext(Object item) {
                if (op.done) {
                    return;
                }
                Map<String, Object> spec = new LinkedHashMap<>(((ExecutionResult) item).toSpecification());
                long missed = lag.take();
                if (missed > 0) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> ext = new LinkedHashMap<>((Map<String, Object>) spec.getOrDefault("extensions", Map.of()));
                    ext.put("lagged", Map.of("missed", missed));
                    spec.put("extensions", ext);
                }
                send(Map.of("id", id, "type", "next", "payload", spec), () -> {
                    Subscription s = op.subscription;
                    if (!op.done && s != null) {
                        s.request(1); // one event in flight per operation: the socket paces the daemon stream
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
                String code = t instanceof RpcException re ? re.code().name() : "INTERNAL";
                if (!(t instanceof RpcException)) {
                    log.warn("subscription {} failed", id, t);
                }
                finishWithError(id, op, List.of(errorMap(t.getMessage(), code)));
            }

            @Override
            public void onComplete() {
                complete(id, op);
            }
        });
    }

    private static Map<String, Object> errorMap(String message, String code) {
        return Map.of("message", String.valueOf(message), "extensions", Map.of("code", code));
    }

    private void finishWithError(String id, Op op, List<?> errors) {
        if (ops.remove(id, op) && !op.done) {
            op.done = true;
            send(Map.of("id", id, "type", "error", "payload", errors));
        }
    }

    private void complete(String id, Op op) {
        if (ops.remove(id, op) && !op.done) {
            op.done = true;
            send(Map.of("id", id, "type", "complete"));
        }
    }

    private void send(Map<String, Object> message) {
        send(message, null);
    }

    private void send(Map<String, Object> message, Runnable then) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return;
        }
        String text;
        try {
            text = MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            log.error("cannot serialize a message", e);
            return;
        }
        s.sendText(text, new Callback() {
            @Override
            public void succeed() {
                if (then != null) {
                    then.run();
                }
            }

            @Override
            public void fail(Throwable x) {
                log.debug("send failed: {}", x.toString());
            }
        });
    }

    private void close(int code, String reason) {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(code, reason, Callback.NOOP);
        }
        cancelAll();
    }

    private void cancelAll() {
        if (initDeadline != null) {
            initDeadline.cancel(false);
        }
        ops.values().forEach(Op::cancel);
        ops.clear();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        int open = ops.size();
        cancelAll();
        if (open > 0) {
            log.debug("WebSocket closed ({} {}); cancelled {} operations", statusCode, reason, open);
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("WebSocket error: {}", cause.toString());
        cancelAll();
    }
}
