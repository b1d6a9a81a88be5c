package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DebianPackage;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GraphiQL as a person uses it: headless Chromium loads the page from the server (no network beyond
 * it), a query is put in the editor, the run button clicked, and the result pane read. Chromium is
 * driven over the DevTools protocol with java.net.http's WebSocket. When Chromium is missing the
 * test installs it from Debian's packages if it can (root and apt-get), and otherwise is skipped
 * with the install command.
 */
class GraphiqlBrowserTest {
    static final Duration BROWSER_WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final GraphqlRig rig = new GraphqlRig("gql-ui");

    @TempDir
    static Path profile;
    static Process chromium;
    static Cdp cdp;

    @BeforeAll
    static void launch() throws Exception {
        Path binary = ensureChromium();
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank"));
        chromium = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(profile.resolveSibling(profile.getFileName() + "-chromium.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Reaper.register(chromium.toHandle());
        Path portFile = profile.resolve("DevToolsActivePort");
        Await.until(BROWSER_WAIT, () -> {
            assertTrue(chromium.isAlive(), "chromium exited with " + (chromium.isAlive() ? "" : chromium.exitValue()));
            try {
                return Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2;
            } catch (IOException e) {
                return false;
            }
        }, "Chromium writes DevToolsActivePort");
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
        // the page target of about:blank, from the DevTools HTTP endpoint
        HttpClient http = HttpClient.newHttpClient();
        String list = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        String pageWs = null;
        for (JsonNode t : GraphqlRig.JSON.readTree(list)) {
            if (t.path("type").asText().equals("page")) {
                pageWs = t.path("webSocketDebuggerUrl").asText();
                break;
            }
        }
        assertTrue(pageWs != null, "a page target in " + list);
        cdp = Cdp.connect(http, URI.create(pageWs));
    }

    @AfterAll
    static void quit() {
        if (cdp != null) {
            cdp.close();
        }
        if (chromium != null) {
            chromium.descendants().forEach(ProcessHandle::destroyForcibly);
            Reaper.kill(chromium.toHandle());
        }
    }

    /** Chromium's path; installs Debian's package when missing and possible, else skips the test. */
    static Path ensureChromium() throws Exception {
        return DebianPackage.ensure("chromium", "the GraphiQL browser test needs Chromium (`chromium-browser` on Ubuntu)",
                List.of("chromium", "chromium-browser", "google-chrome"));
    }

    /**
     * A fresh page load of {@code url}, in a tab whose session storage holds no token from an earlier test:
     * from the same page, a change of fragment alone would not reload it.
     */
    private void open(String url) {
        cdp.eval("(function () { try { sessionStorage.clear(); } catch (e) { } return true; })()");
        cdp.call("Page.navigate", Map.of("url", "about:blank"));
        awaitTrue("location.href === 'about:blank'", "the tab leaves GraphiQL");
        cdp.call("Page.navigate", Map.of("url", url));
        awaitTrue("location.pathname === '/' && document.readyState !== 'loading'", "the tab loads " + url);
    }

    @Test
    void aQueryRunInGraphiqlShowsTheDaemonsAnswer() {
        String origin = "http://127.0.0.1:" + rig.server().port();
        cdp.call("Page.enable", Map.of());
        // the address `cove graphql` prints: the token in the fragment, which the browser never sends
        open(origin + "/#token=" + rig.token());
        awaitTrue("!!document.querySelector('.graphiql-query-editor .CodeMirror') "
                + "&& !!document.querySelector('.graphiql-execute-button')", "GraphiQL renders its editor");
        assertEquals("", cdp.eval("location.hash").path("value").asText("?"), "the page takes the token out of the address");

        String query = "{ testEcho(text: \"from chromium\", n: 3) { text n instance } }";
        cdp.eval("document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue("
                + GraphqlRig.JSON.valueToTree(query) + ")");
        cdp.eval("document.querySelector('.graphiql-execute-button').click()");
        String[] result = {""};
        Await.until(BROWSER_WAIT, () -> {
            result[0] = cdp.eval("(document.querySelector('.result-window .CodeMirror') || {CodeMirror: {getValue: () => ''}})"
                    + ".CodeMirror.getValue()").path("value").asText("");
            return result[0].contains("from chromium");
        }, () -> "the result pane shows the answer; it shows: " + result[0]);
        JsonNode shown;
        try {
            shown = GraphqlRig.JSON.readTree(result[0]);
        } catch (IOException e) {
            throw new AssertionError("the result pane is not JSON: " + result[0], e);
        }
        assertEquals("from chromium", shown.path("data").path("testEcho").path("text").asText(), result[0]);
        assertEquals(3, shown.path("data").path("testEcho").path("n").asInt());
        assertEquals("gql-ui", shown.path("data").path("testEcho").path("instance").asText());

        // everything the page loaded came from this server: nothing from a CDN
        JsonNode urls = cdp.eval("JSON.stringify(performance.getEntriesByType('resource').map(e => e.name))");
        JsonNode list;
        try {
            list = GraphqlRig.JSON.readTree(urls.path("value").asText("[]"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue(list.size() >= 4, "the page loaded its assets: " + list);
        for (JsonNode u : list) {
            String url = u.asText();
            // data: URLs are fonts inlined in graphiql.min.css
            assertTrue(url.startsWith(origin + "/") || url.startsWith("data:"),
                    "loaded from elsewhere: " + url.substring(0, Math.min(200, url.length())));
        }
    }

    @Test
    void aSubscriptionRunInGraphiqlStreamsEvents() {
        String origin = "http://127.0.0.1:" + rig.server().port();
        open(origin + "/#token=" + rig.token());
        awaitTrue("!!document.querySelector('.graphiql-query-editor .CodeMirror') "
                + "&& !!document.querySelector('.graphiql-execute-button')", "GraphiQL renders its editor");
        int before = subscriptions();
        String query = "subscription { logMessage(target: \"" + dev.cove.tests.support.TestPlugin.LOG_TARGET
                + "\", level: WARN) { level message } }";
        cdp.eval("document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue("
                + GraphqlRig.JSON.valueToTree(query) + ")");
        cdp.eval("document.querySelector('.graphiql-execute-button').click()");
        Await.until(BROWSER_WAIT, () -> subscriptions() == before + 1, "GraphiQL's subscription reaches the daemon");
        rig.data("mutation { testLog(tag: \"browser\") { logger } }");
        String[] result = {""};
        Await.until(BROWSER_WAIT, () -> {
            result[0] = cdp.eval("(document.querySelector('.result-window .CodeMirror') || {CodeMirror: {getValue: () => ''}})"
                    + ".CodeMirror.getValue()").path("value").asText("");
            return result[0].contains("browser warn");
        }, () -> "the result pane shows the event; it shows: " + result[0]);
        // the run button is a stop button while a subscription runs: stopping it ends the daemon subscription
        cdp.eval("document.querySelector('.graphiql-execute-button').click()");
        Await.until(BROWSER_WAIT, () -> subscriptions() == before, "the daemon subscription ends when GraphiQL stops it");
    }

    private static int subscriptions() {
        return rig.data("{ coreStatus { subscriptions } }").path("coreStatus").path("subscriptions").asInt();
    }

    private static void awaitTrue(String expression, String what) {
        Await.until(BROWSER_WAIT, () -> cdp.eval(expression).path("value").asBoolean(false), what);
    }

    /** A minimal DevTools protocol client: commands by id, events ignored. */
    static final class Cdp implements AutoCloseable {
        private final WebSocket ws;
        private final Map<Integer, CompletableFuture<JsonNode>> pending;
        private final AtomicInteger ids = new AtomicInteger();

        private Cdp(WebSocket ws, Map<Integer, CompletableFuture<JsonNode>> pending) {
            this.ws = ws;
            this.pending = pending;
        }

        static Cdp connect(HttpClient http, URI uri) {
            Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
                private final StringBuilder buf = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    buf.append(data);
                    if (last) {
                        try {
                            JsonNode m = GraphqlRig.JSON.readTree(buf.toString());
                            CompletableFuture<JsonNode> f = m.has("id") ? pending.remove(m.get("id").asInt()) : null;
                            if (f != null) {
                                f.complete(m);
                            }
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        buf.setLength(0);
                    }
                    w.request(1);
                    return null;
                }
            }).join();
            return new Cdp(ws, pending);
        }

        JsonNode call(String method, Map<String, Object> params) {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            ObjectNode msg = GraphqlRig.JSON.createObjectNode().put("id", id).put("method", method);
            msg.set("params", GraphqlRig.JSON.valueToTree(params));
            ws.sendText(msg.toString(), true).join();
            try {
                JsonNode r = f.get(BROWSER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (r.has("error")) {
                    throw new AssertionError(method + " failed: " + r.get("error"));
                }
                return r.path("result");
            } catch (Exception e) {
                throw new AssertionError(method + ": " + e, e);
            }
        }

        /** Evaluates JavaScript in the page; returns the RemoteObject ({@code value} holds primitives). */
        JsonNode eval(String expression) {
            JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
            if (r.has("exceptionDetails")) {
                return GraphqlRig.JSON.createObjectNode();
            }
            return r.path("result");
        }

        @Override
        public void close() {
            ws.abort();
        }
    }
}
