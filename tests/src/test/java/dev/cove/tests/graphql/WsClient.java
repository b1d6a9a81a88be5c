package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A graphql-transport-ws client on java.net.http's WebSocket: messages are queued as JSON trees. */
final class WsClient implements AutoCloseable {
    record Closed(int code, String reason) {
    }

    private final WebSocket ws;
    private final BlockingQueue<JsonNode> messages;
    private final CompletableFuture<Closed> closed;

    private WsClient(WebSocket ws, BlockingQueue<JsonNode> messages, CompletableFuture<Closed> closed) {
        this.ws = ws;
        this.messages = messages;
        this.closed = closed;
    }

    static WsClient connect(HttpClient http, URI uri, Map<String, String> headers) {
        return connect(http, uri, headers, true);
    }

    static WsClient connect(HttpClient http, URI uri, Map<String, String> headers, boolean offerSubprotocol) {
        BlockingQueue<JsonNode> q = new LinkedBlockingQueue<>();
        CompletableFuture<Closed> closed = new CompletableFuture<>();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (offerSubprotocol) {
            b.subprotocols("graphql-transport-ws");
        }
        headers.forEach(b::header);
        WebSocket ws = b.buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        q.add(GraphqlRig.JSON.readTree(partial.toString()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(new Closed(statusCode, reason));
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(new Closed(-1, String.valueOf(error)));
            }
        }).join();
        return new WsClient(ws, q, closed);
    }

    static WsClient connect(HttpClient http, URI uri) {
        return connect(http, uri, Map.of());
    }

    /** Connects and completes the handshake ({@code connection_init} → {@code connection_ack}). */
    static WsClient open(HttpClient http, URI uri, Map<String, Object> initPayload) {
        WsClient c = connect(http, uri);
        c.send(Map.of("type", "connection_init", "payload", initPayload));
        JsonNode ack = c.next();
        if (!ack.path("type").asText().equals("connection_ack")) {
            throw new AssertionError("expected connection_ack, got " + ack);
        }
        return c;
    }

    void send(Object message) {
        try {
            sendRaw(GraphqlRig.JSON.writeValueAsString(message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void sendRaw(String text) {
        ws.sendText(text, true).join();
    }

    void subscribe(String id, String query, Map<String, Object> variables) {
        Map<String, Object> payload = variables == null ? Map.of("query", query) : Map.of("query", query, "variables", variables);
        send(Map.of("id", id, "type", "subscribe", "payload", payload));
    }

    /** The next message; fails after {@link GraphqlRig#WAIT}. */
    JsonNode next() {
        return next(GraphqlRig.WAIT);
    }

    JsonNode next(Duration timeout) {
        try {
            JsonNode m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + timeout.toMillis() + " ms"
                        + (closed.isDone() ? "; the socket closed: " + closed.join() : ""));
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for the server to close the socket and returns its code and reason. */
    Closed awaitClose() {
        try {
            return closed.get(GraphqlRig.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("the server did not close the socket: " + e);
        }
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** Sends a close frame (1001, as a browser leaving the page does) and waits for the server's answer. */
    Closed closeGracefully() {
        ws.sendClose(1001, "going away").join();
        return awaitClose();
    }

    /** Drops the connection without a close handshake, as a browser tab that goes away. */
    void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        ws.abort();
    }
}
