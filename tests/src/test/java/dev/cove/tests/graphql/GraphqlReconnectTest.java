package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.graphql.GraphqlServer;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.Reaper;
import dev.cove.tests.support.TestPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon goes away under a running server: subscriptions end with an error instead of hanging,
 * calls fail with UNAVAILABLE, and when a daemon is back the server reconnects by itself and
 * regenerates its schema (here the new daemon has a plugin the old one lacked).
 */
class GraphqlReconnectTest {
    /** A token of the test's choosing (--token), as a script would give one. */
    private static final String TOKEN = "reconnect-test-token";

    @TempDir
    Path dir;

    @Test
    void survivesADaemonCrashAndAShutdown() throws Exception {
        InstancePaths paths = new InstancePaths(dir.resolve("data"), "gql-re");
        Process first = GraphqlRig.startDaemon(paths, dir);
        HttpClient http = HttpClient.newHttpClient();
        try (GraphqlServer server = GraphqlServer.start(GraphqlServer.Options.defaults(paths).withPort(0)
                .withAutoStart(false).withToken(TOKEN))) {
            Await.until(GraphqlRig.WAIT, server::daemonConnected, "connected to the first daemon");
            URI endpoint = URI.create("http://127.0.0.1:" + server.port() + "/graphql");
            URI wsUri = URI.create("ws://127.0.0.1:" + server.port() + "/graphql");
            assertFalse(typeHasField(http, endpoint, "Query", "testEcho"), "no test plugin in the first daemon");

            try (WsClient ws = WsClient.open(http, wsUri, Map.of("authorization", "Bearer " + TOKEN))) {
                ws.subscribe("logs", "subscription { logMessage { message } }", null);
                Await.until(GraphqlRig.WAIT, () -> subscriptions(http, endpoint) == 2, "the log subscription is live");

                Reaper.kill(first.toHandle()); // SIGKILL: a crash, no goodbye from the daemon

                JsonNode m = ws.next();
                while (m.path("type").asText().equals("next")) {
                    m = ws.next(); // log lines that were already on their way
                }
                assertEquals("error", m.path("type").asText(), m.toString());
                assertEquals("logs", m.path("id").asText());
                assertEquals("CONNECTION_LOST", m.path("payload").path(0).path("extensions").path("code").asText(), m.toString());

                // the socket to the browser stays open and usable
                ws.send(Map.of("type", "ping"));
                assertEquals("pong", ws.next().path("type").asText());

                JsonNode down = post(http, endpoint, "{ coreStatus { pid } }");
                assertEquals("UNAVAILABLE", down.path("errors").path(0).path("extensions").path("code").asText(), down.toString());
                assertFalse(post(http, endpoint, "{ _server { connected } }").path("data").path("_server")
                        .path("connected").asBoolean());

                TestPlugin.installInto(paths.dataDir());
                Process second = GraphqlRig.startDaemon(paths, dir);
                try {
                    Await.until(GraphqlRig.WAIT, () -> post(http, endpoint, "{ _server { reconnects connected } }")
                                    .path("data").path("_server").path("reconnects").asInt() == 1,
                            "the server reconnects by itself");
                    JsonNode status = post(http, endpoint, "{ coreStatus { pid } }");
                    assertEquals(second.pid(), status.path("data").path("coreStatus").path("pid").asLong(), status.toString());
                    assertTrue(typeHasField(http, endpoint, "Query", "testEcho"), "schema regenerated with the new plugin");
                    assertEquals("back", post(http, endpoint, "{ testEcho(text: \"back\", n: 1) { text } }")
                            .path("data").path("testEcho").path("text").asText());

                    // a graceful stop ends subscriptions with SHUTTING_DOWN
                    ws.subscribe("jobs", "subscription { jobUpdate { jobId } }", null);
                    Await.until(GraphqlRig.WAIT, () -> subscriptions(http, endpoint) == 2, "the job subscription is live");
                    JsonNode bye = post(http, endpoint, "mutation { coreShutdown(reason: \"test\") { message } }");
                    assertFalse(bye.has("errors"), bye.toString());
                    JsonNode end = ws.next();
                    assertEquals("error", end.path("type").asText(), end.toString());
                    assertEquals("SHUTTING_DOWN", end.path("payload").path(0).path("extensions").path("code").asText(),
                            end.toString());
                    assertTrue(second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the daemon stopped");
                } finally {
                    Reaper.kill(second.toHandle());
                }
            }
        } finally {
            Reaper.kill(first.toHandle());
        }
    }

    private static int subscriptions(HttpClient http, URI endpoint) {
        return post(http, endpoint, "{ coreStatus { subscriptions } }").path("data").path("coreStatus")
                .path("subscriptions").asInt();
    }

    private static boolean typeHasField(HttpClient http, URI endpoint, String type, String field) {
        JsonNode fields = post(http, endpoint, "{ __type(name: \"" + type + "\") { fields { name } } }")
                .path("data").path("__type").path("fields");
        for (JsonNode f : fields) {
            if (f.path("name").asText().equals(field)) {
                return true;
            }
        }
        return false;
    }

    static JsonNode post(HttpClient http, URI endpoint, String query) {
        try {
            String body = GraphqlRig.JSON.writeValueAsString(Map.of("query", query));
            String text = http.send(HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return GraphqlRig.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
