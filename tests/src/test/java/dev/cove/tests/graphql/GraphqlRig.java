package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cove.api.core.Ping;
import dev.cove.graphql.GraphqlServer;
import dev.cove.graphql.TokenFile;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;
import dev.cove.tests.support.TestPlugin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real daemon (own process, the test plugin installed, copies capped at 20 MiB/s so a test can
 * watch one progress) and a real GraphQL server in this JVM on a free port, shared by a test class:
 * {@code @RegisterExtension static final GraphqlRig rig = new GraphqlRig("gql-http");}
 */
final class GraphqlRig implements BeforeAllCallback, AfterAllCallback {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(30);
    static final long COPY_BPS = 20L << 20;

    static {
        // the test JVM has no logback configuration, so logback would log Jetty at DEBUG: keep it to warnings
        for (String name : List.of("org.eclipse.jetty", "graphql", "notprivacysafe")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(name)).setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private final String instance;
    private final UnaryOperator<GraphqlServer.Options> tweak;
    private Path dir;
    private InstancePaths paths;
    private Process daemon;
    private GraphqlServer server;
    private String token;
    private final List<GraphqlServer> extraServers = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    GraphqlRig(String instance) {
        this(instance, UnaryOperator.identity());
    }

    GraphqlRig(String instance, UnaryOperator<GraphqlServer.Options> tweak) {
        this.instance = instance;
        this.tweak = tweak;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("cove-gql");
        Path data = dir.resolve("data");
        TestPlugin.installInto(data);
        paths = new InstancePaths(data, instance);
        daemon = startDaemon(paths, dir);
        server = GraphqlServer.start(options());
        // the owner's way to the token: the 0600 file the server wrote (not the server object)
        token = Files.readString(TokenFile.of(paths)).strip();
        if (!token.equals(server.token())) {
            throw new AssertionError("the token file does not hold the server's token");
        }
        Await.until(WAIT, server::daemonConnected, "the GraphQL server connects to the daemon");
    }

    /**
     * Options for a server on this rig's daemon: a free port, no auto-start, and (once the rig's server
     * runs) its token, so that extra servers rewrite the token file with the same one.
     */
    GraphqlServer.Options options() {
        return tweak.apply(GraphqlServer.Options.defaults(paths).withPort(0).withAutoStart(false).withToken(token));
    }

    /** The rig server's token, as read from its token file. */
    String token() {
        return token;
    }

    /** {@code "Bearer " + token()}: the Authorization header value. */
    String bearer() {
        return "Bearer " + token;
    }

    /** The init payload carrying the token, for {@link WsClient#open}. */
    Map<String, Object> init() {
        return Map.of("authorization", bearer());
    }

    /** Another server on the same daemon, closed with the rig. */
    GraphqlServer extraServer(GraphqlServer.Options o) throws Exception {
        GraphqlServer s = GraphqlServer.start(o);
        extraServers.add(s);
        Await.until(WAIT, s::daemonConnected, "the extra GraphQL server connects to the daemon");
        return s;
    }

    /** Spawns {@code DaemonMain} with a copy bandwidth cap and waits until it answers a ping. */
    static Process startDaemon(InstancePaths paths, Path dir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Jvm.java());
        cmd.addAll(Jvm.flags());
        cmd.add("-Dcove.copy.maxBytesPerSecond=" + COPY_BPS);
        cmd.addAll(List.of("-cp", Jvm.daemonClasspath(), Jvm.DAEMON_MAIN, "--data-dir", paths.dataDir().toString(),
                "--instance", paths.instance()));
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(dir.resolve(paths.instance() + ".stdout").toFile())
                .redirectError(dir.resolve(paths.instance() + ".stderr").toFile())
                .start();
        Reaper.register(p.toHandle());
        Await.until(WAIT, () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the daemon exited with " + p.exitValue());
            }
            try (CoreClient c = CoreClient.builder().instance(paths).connectRetry(Duration.ZERO)
                    .timeout(Duration.ofSeconds(10)).build()) {
                return c.call(new Ping()).pid() == p.pid();
            } catch (RpcException e) {
                return false;
            }
        }, "daemon " + paths.instance() + " answers");
        return p;
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        extraServers.forEach(GraphqlServer::close);
        if (server != null) {
            server.close();
        }
        if (daemon != null) {
            Reaper.kill(daemon.toHandle());
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    GraphqlServer server() {
        return server;
    }

    InstancePaths paths() {
        return paths;
    }

    Path dir() {
        return dir;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port() + "/graphql");
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/graphql");
    }

    /** A plain CoreClient to the rig's daemon, for checks made around the GraphQL server. */
    CoreClient client() {
        return CoreClient.builder().instance(paths).timeout(WAIT).clientName("gql-tests", "0").build();
    }

    /** An HTTP answer: status, Content-Type and body (parsed when it is JSON). */
    record Answer(int status, String contentType, String text, JsonNode json) {
        JsonNode data() {
            return json.path("data");
        }

        JsonNode firstError() {
            return json.path("errors").path(0);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + text;
        }
    }

    /** POSTs {@code {"query": query, "variables": vars}} with Accept: graphql-response+json. */
    Answer post(String query, Map<String, Object> variables) {
        Map<String, Object> body = variables == null ? Map.of("query", query) : Map.of("query", query, "variables", variables);
        try {
            return send(HttpRequest.newBuilder(endpoint()).header("Content-Type", "application/json")
                    .header("Accept", "application/graphql-response+json").header("Authorization", bearer())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer post(String query) {
        return post(query, null);
    }

    /** {@link #post} that fails the test unless the answer is 200 with data and no errors. */
    JsonNode data(String query, Map<String, Object> variables) {
        Answer a = post(query, variables);
        if (a.status() != 200 || a.json() == null || a.json().has("errors")) {
            throw new AssertionError("expected data for " + query + ", got " + a);
        }
        return a.data();
    }

    JsonNode data(String query) {
        return data(query, null);
    }

    Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            String ct = r.headers().firstValue("Content-Type").orElse("");
            JsonNode json = null;
            if (ct.contains("json")) {
                json = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), ct, r.body(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
