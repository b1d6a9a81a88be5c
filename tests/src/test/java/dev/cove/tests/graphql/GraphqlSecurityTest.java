package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.graphql.GraphqlServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DNS rebinding (Host), cross-origin requests (Origin) and the token, on HTTP and on the WebSocket upgrade. */
class GraphqlSecurityTest {
    @RegisterExtension
    static final GraphqlRig rig = new GraphqlRig("gql-sec");

    private static final String QUERY_BODY = "{\"query\":\"{ _server { connected } }\"}";

    /** Sends a request as raw bytes (java.net.http will not send a foreign Host) and returns the status code. */
    private static int raw(int port, String head, String body) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) GraphqlRig.WAIT.toMillis());
            OutputStream out = s.getOutputStream();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write((head + (b.length > 0 ? "Content-Length: " + b.length + "\r\n" : "") + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                line.append((char) c);
            }
            String[] parts = line.toString().split(" ");
            return Integer.parseInt(parts[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String post(String host, String extra) {
        return "POST /graphql HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                + "Authorization: " + rig.bearer() + "\r\n" + extra;
    }

    private static String upgrade(String host, String extra) {
        return "GET /graphql HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: graphql-transport-ws\r\n" + extra;
    }

    @Test
    void foreignHostNamesAreRefusedOnHttpAndUpgrade() {
        int port = rig.server().port();
        assertEquals(200, raw(port, post("127.0.0.1:" + port, ""), QUERY_BODY));
        assertEquals(200, raw(port, post("localhost:" + port, ""), QUERY_BODY));
        assertEquals(200, raw(port, post("[::1]:" + port, ""), QUERY_BODY));
        assertEquals(403, raw(port, post("evil.example:" + port, ""), QUERY_BODY), "a rebound DNS name");
        assertEquals(403, raw(port, post("127.0.0.1.evil.example", ""), QUERY_BODY));
        assertEquals(403, raw(port, "GET / HTTP/1.1\r\nHost: evil.example\r\n", ""), "GraphiQL page too");

        assertEquals(101, raw(port, upgrade("127.0.0.1:" + port, ""), ""), "a loopback upgrade is accepted");
        assertEquals(403, raw(port, upgrade("evil.example:" + port, ""), ""), "a rebound upgrade is refused");
    }

    @Test
    void crossOriginRequestsAreRefusedOnHttpAndUpgrade() {
        int port = rig.server().port();
        String self = "http://127.0.0.1:" + port;
        GraphqlRig.Answer same = rig.send(HttpRequest.newBuilder(rig.endpoint()).header("Content-Type", "application/json")
                .header("Authorization", rig.bearer()).header("Origin", self).POST(HttpRequest.BodyPublishers.ofString(QUERY_BODY)).build());
        assertEquals(200, same.status(), "GraphiQL's own requests are same-origin: " + same);

        GraphqlRig.Answer cross = rig.send(HttpRequest.newBuilder(rig.endpoint()).header("Content-Type", "application/json")
                .header("Authorization", rig.bearer()).header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString(QUERY_BODY)).build());
        assertEquals(403, cross.status(), cross.toString());

        GraphqlRig.Answer otherPort = rig.send(HttpRequest.newBuilder(URI.create(rig.endpoint() + "?query=%7B_server%7Bconnected%7D%7D"))
                .header("Origin", "http://127.0.0.1:1").GET().build());
        assertEquals(403, otherPort.status(), "another local port is another origin: " + otherPort);

        assertEquals(403, raw(port, upgrade("127.0.0.1:" + port, "Origin: https://evil.example\r\n"), ""));
        assertEquals(403, raw(port, upgrade("127.0.0.1:" + port, "Origin: null\r\n"), ""));
        assertEquals(101, raw(port, upgrade("127.0.0.1:" + port, "Origin: " + self + "\r\n"), ""));

        CompletionException e = assertThrows(CompletionException.class, () -> WsClient.connect(rig.http, rig.ws(),
                Map.of("Origin", "https://evil.example")));
        assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
        assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }

    @Test
    void loopbackRequiresTheTokenToo() {
        HttpRequest.Builder req = HttpRequest.newBuilder(rig.endpoint()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(QUERY_BODY));
        String token = rig.token();
        GraphqlRig.Answer none = rig.send(req.copy().build());
        assertEquals(401, none.status(), none.toString());
        assertTrue(none.text().contains("requires a token"), none.toString());
        for (String wrong : List.of("Bearer nope", "Bearer " + token.substring(0, 1), "Bearer " + token.substring(0, token.length() - 1),
                "Bearer " + token + token, "Bearer", "Bearer " + token.toUpperCase(java.util.Locale.ROOT), "Basic " + token)) {
            GraphqlRig.Answer a = rig.send(req.copy().header("Authorization", wrong).build());
            assertEquals(401, a.status(), wrong + ": " + a);
        }
        assertEquals(200, rig.send(req.copy().header("Authorization", rig.bearer()).build()).status());
        assertEquals(200, rig.send(req.copy().header("Authorization", "bearer  " + token + " ").build()).status(),
                "the scheme is case-insensitive (RFC 9110) and spaces around the token do not matter");

        GraphqlRig.Answer get = rig.send(HttpRequest.newBuilder(URI.create(rig.endpoint() + "?query=%7B_server%7Bconnected%7D%7D"))
                .GET().build());
        assertEquals(401, get.status(), "GET needs the token as well: " + get);
        // the GraphiQL page and its scripts are the same for everyone and hold no data: served without the token
        assertEquals(200, raw(rig.server().port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", ""));
    }

    @Test
    void beyondLoopbackATokenIsGeneratedAndNoAuthIsRefused() throws Exception {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> GraphqlServer.start(rig.options().withBind("0.0.0.0", null).withNoAuth(true)));
        assertTrue(refused.getMessage().contains("loopback"), refused.getMessage());

        String token = "s3cret-token";
        GraphqlServer open = rig.extraServer(rig.options().withBind("0.0.0.0", token));
        URI endpoint = URI.create("http://127.0.0.1:" + open.port() + "/graphql");
        HttpRequest.Builder req = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(QUERY_BODY));

        GraphqlRig.Answer none = rig.send(req.copy().build());
        assertEquals(401, none.status(), none.toString());
        GraphqlRig.Answer wrong = rig.send(req.copy().header("Authorization", "Bearer nope").build());
        assertEquals(401, wrong.status());
        GraphqlRig.Answer right = rig.send(req.copy().header("Authorization", "Bearer " + token).build());
        assertEquals(200, right.status(), right.toString());
        assertTrue(right.json().path("data").path("_server").path("connected").asBoolean());

        URI ws = URI.create("ws://127.0.0.1:" + open.port() + "/graphql");
        try (WsClient c = WsClient.connect(rig.http, ws)) {
            c.send(Map.of("type", "connection_init", "payload", Map.of()));
            assertEquals(4403, c.awaitClose().code(), "connection_init without the token");
        }
        try (WsClient c = WsClient.connect(rig.http, ws)) {
            c.send(Map.of("type", "connection_init", "payload", Map.of("authorization", "Bearer wrong")));
            assertEquals(4403, c.awaitClose().code(), "connection_init with a wrong token");
        }
        try (WsClient c = WsClient.connect(rig.http, ws)) {
            c.send(Map.of("type", "connection_init", "payload", Map.of("authorization", "Bearer " + token.substring(0, 6))));
            assertEquals(4403, c.awaitClose().code(), "connection_init with a prefix of the token");
        }
        try (WsClient c = WsClient.open(rig.http, ws, Map.of("authorization", "Bearer " + token))) {
            c.subscribe("1", "{ _server { connected } }", null);
            JsonNode next = c.next();
            assertTrue(next.path("payload").path("data").path("_server").path("connected").asBoolean(), next.toString());
        }
        // a non-browser client may send the token on the upgrade instead
        try (WsClient c = WsClient.connect(rig.http, ws, Map.of("Authorization", "Bearer " + token))) {
            c.send(Map.of("type", "connection_init"));
            assertEquals("connection_ack", c.next().path("type").asText());
        }
        CompletionException e = assertThrows(CompletionException.class, () -> WsClient.connect(rig.http, ws,
                Map.of("Authorization", "Bearer wrong")));
        assertEquals(401, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());

        // no token given beyond loopback: one is generated, written to the token file and required
        GraphqlServer generated = rig.extraServer(rig.options().withBind("0.0.0.0", null).withToken(null));
        assertTrue(generated.token() != null && generated.token().length() >= 40, generated.token());
        assertEquals(generated.token(), java.nio.file.Files.readString(generated.tokenFile()).strip());
        URI gen = URI.create("http://127.0.0.1:" + generated.port() + "/graphql");
        HttpRequest.Builder g = HttpRequest.newBuilder(gen).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(QUERY_BODY));
        assertEquals(401, rig.send(g.copy().build()).status());
        assertEquals(200, rig.send(g.copy().header("Authorization", "Bearer " + generated.token()).build()).status());
    }
}
