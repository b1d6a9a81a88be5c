package dev.cove.tests.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cove.api.core.Ping;
import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobState;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.GetLibrary;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.metrics.MetricsExposition;
import dev.cove.api.metrics.ScrapeMetrics;
import dev.cove.api.sessions.EndSession;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.LogMetrics;
import dev.cove.api.sessions.Metric;
import dev.cove.api.sessions.MetricKind;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.cli.CoveCli;
import dev.cove.graphql.GraphqlServer;
import dev.cove.graphql.TokenFile;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.DebianPackage;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cove's Prometheus metrics end to end: a real daemon with sessions (one crashed by kill -9 of its
 * process), its exposition over the socket, `cove metrics` and its textfile, the GraphQL server's
 * /metrics behind the token, a real Prometheus server scraping it, and the Grafana dashboard's queries
 * checked against what Cove exposes.
 */
class PrometheusScrapeTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String INSTANCE = "prom";
    static final long PID = ProcessHandle.current().pid();
    static final ObjectMapper JSON = new ObjectMapper();

    static Path tmp;
    static DaemonProcess daemon;
    static GraphqlServer gql;
    static String token;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        tmp = Files.createTempDirectory("cove-prom");
        daemon = DaemonProcess.start(tmp.resolve("data"), INSTANCE);
        CoreClient c = daemon.client();
        // an active session with a gauge and a counter
        String shop = c.call(new RegisterSession("ShopApp", "2.1", PID, Map.of(), 0L, null)).sessionId();
        Instant t0 = Instant.now().minusSeconds(2);
        c.call(new LogMetrics(shop, List.of(
                new Metric("fps", 60.0, MetricKind.GAUGE, null, null, t0),
                new Metric("fps", 59.5, MetricKind.GAUGE, null, null, t0.plusMillis(10)),
                new Metric("requests", 1.0, MetricKind.COUNTER, null, Map.of("route", "/cart"), t0),
                new Metric("requests", 1.0, MetricKind.COUNTER, null, Map.of("route", "/pay"), t0.plusMillis(5)),
                new Metric("requests", 1.0, MetricKind.COUNTER, null, Map.of("route", "/cart"), t0.plusMillis(9))), null));
        // a session whose process dies without ending it: crashed
        Process app = new ProcessBuilder("sleep", "300").start();
        Reaper.register(app.toHandle());
        String doomed = c.call(new RegisterSession("ShopApp", "2.0", app.pid(), Map.of(), 0L, null)).sessionId();
        app.destroyForcibly();
        assertTrue(app.waitFor(10, TimeUnit.SECONDS), "sleep survived SIGKILL");
        Reaper.unregister(app.toHandle());
        // a session that ends cleanly
        String backup = c.call(new RegisterSession("Backup", "1.0", PID, Map.of(), 0L, null)).sessionId();
        c.call(new EndSession(backup, 0, null));
        Await.until(WAIT, () -> c.call(new GetSession(doomed, 0)).session().status() == SessionStatus.CRASHED,
                "the killed app's session is marked crashed");
        // a session that stops heartbeating: hung
        String stuck = c.call(new RegisterSession("Editor", "3.0", PID, Map.of(), 300L, null)).sessionId();
        Await.until(WAIT, () -> c.call(new GetSession(stuck, 0)).session().status() == SessionStatus.HUNG,
                "the silent app's session is marked hung");
        for (int i = 0; i < 3; i++) {
            c.call(new Ping());
        }
        try {
            c.call(new GetSession("s-doesnotexist", 0));
            throw new AssertionError("an unknown session was found");
        } catch (dev.cove.rpc.RpcException expected) {
            assertEquals(dev.cove.rpc.ErrorCode.NOT_FOUND, expected.code());
        }
        // a library with an indexed folder of three files
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (String n : List.of("a.jpg", "b.jpg", "c.png")) {
            Files.writeString(photos.resolve(n), n);
        }
        c.call(new CreateLibrary("Photos"));
        long job = c.call(new AddLocation("Photos", photos.toString())).jobId();
        Await.until(WAIT, () -> c.call(new GetJob(job)).state() == JobState.COMPLETED, "the folder is indexed");
        gql = GraphqlServer.start(GraphqlServer.Options.defaults(daemon.paths()).withPort(0).withAutoStart(false));
        token = Files.readString(TokenFile.of(daemon.paths())).strip();
        Await.until(WAIT, gql::daemonConnected, "the GraphQL server connects to the daemon");
    }

    @AfterAll
    static void stop() throws IOException {
        if (gql != null) {
            gql.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        if (tmp != null) {
            try (Stream<Path> w = Files.walk(tmp)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Exposition scrape() {
        MetricsExposition m = daemon.client().call(new ScrapeMetrics());
        assertTrue(m.contentType().startsWith("text/plain; version=0.0.4"), m.contentType());
        return Exposition.parse(m.text());
    }

    @Test
    void theExpositionHasTheDaemonsHealthAndTheSessionsMetricsWithTheirValues() {
        Exposition e = scrape();
        assertEquals(1, e.value("cove_sessions_by_status", "status", "crashed"));
        assertEquals(1, e.value("cove_sessions_by_status", "status", "active"));
        assertEquals(1, e.value("cove_sessions_by_status", "status", "ended"));
        assertEquals(1, e.value("cove_sessions_by_status", "status", "hung"));
        assertEquals(1, e.value("cove_sessions", "app", "Editor", "version", "3.0", "status", "hung"));
        assertEquals(1, e.value("cove_sessions", "app", "ShopApp", "version", "2.0", "status", "crashed"));
        assertEquals(1, e.value("cove_sessions", "app", "Backup", "version", "1.0", "status", "ended"));
        // the gauge's latest value, the counter's total over both routes (tags are folded, never labels)
        assertEquals(59.5, e.value("cove_session_metric_last", "app", "ShopApp", "version", "2.1", "metric", "fps",
                "kind", "gauge"));
        assertEquals(2, e.value("cove_session_metric_points", "app", "ShopApp", "metric", "fps"));
        assertEquals(3, e.value("cove_session_metric_sum", "app", "ShopApp", "version", "2.1", "metric", "requests",
                "kind", "counter"));
        assertEquals(1, e.value("cove_session_metric_sessions", "app", "ShopApp", "metric", "requests"));
        assertEquals(Set.of("app", "version", "metric", "kind"), e.labelNames("cove_session_metric_last"),
                "no session id or tag label: their number has no bound");
        assertTrue(e.find("cove_session_metric_last", "app", "ShopApp", "version", "2.0").isEmpty(),
                "a crashed session is not live");
        assertEquals(0, e.value("cove_metrics_series_omitted", "family", "cove_session_metric"));

        assertTrue(e.value("cove_rpc_calls_total", "method", "query:core.ping.v1") >= 3);
        assertTrue(e.value("cove_rpc_call_duration_seconds_count", "method", "query:core.ping.v1") >= 3);
        assertEquals("histogram", e.types().get("cove_rpc_call_duration_seconds"));
        assertTrue(e.value("cove_connections") >= 1);
        assertEquals(0, e.value("cove_jobs", "state", "running"));
        assertEquals(1, e.value("cove_jobs", "state", "completed"));
        long entries = daemon.client().call(new GetLibrary("Photos")).entries();
        assertTrue(entries >= 3, "the three files are indexed: " + entries);
        assertEquals(entries, e.value("cove_index_entries", "library", "Photos"));
        assertEquals(0, e.value("cove_upstream_backlog_records"));
        assertEquals(1, e.value("cove_upstream_state", "state", "off"));
        assertEquals(1, e.value("cove_build_info"));
    }

    @Test
    void errorsAreCountedByMethodAndCode() {
        Exposition e = scrape(); // start() asked for an unknown session once
        assertTrue(e.value("cove_rpc_errors_total", "method", "query:sessions.get.v1", "code", "NOT_FOUND") >= 1);
    }

    @Test
    void applicationLabelledSeriesStopAtTheCapAndWhatIsLeftOutIsCounted() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("capped"));
        Path config = dir.resolve("cove.properties");
        Files.writeString(config, "cove.metrics.max.series=3\n");
        try (DaemonProcess d = DaemonProcess.start(dir.resolve("data"), "capped", "--config", config.toString())) {
            CoreClient c = d.client();
            String longName = "x".repeat(200); // the longest app name Cove takes
            for (int i = 0; i < 5; i++) {
                String id = c.call(new RegisterSession(i == 0 ? longName : "App" + i, "1." + i, PID, Map.of(), 0L, null))
                        .sessionId();
                // the first app has the most points, so the cap keeps its series
                List<Metric> points = new ArrayList<>();
                for (int k = 0; k < 10 - i; k++) {
                    points.add(new Metric("m" + k % 2, (double) k, MetricKind.GAUGE, null, null, null));
                }
                c.call(new LogMetrics(id, points, null));
            }
            Exposition e = Exposition.parse(c.call(new ScrapeMetrics()).text());
            assertEquals(3, e.find("cove_session_metric_last").size(), "3 series kept of 10");
            assertEquals(7, e.value("cove_metrics_series_omitted", "family", "cove_session_metric"));
            assertEquals(3, e.find("cove_sessions").size());
            assertEquals(2, e.value("cove_metrics_series_omitted", "family", "cove_sessions"));
            assertEquals(5, e.value("cove_sessions_by_status", "status", "active"), "totals are never capped");
            String cut = "x".repeat(99) + "…";
            assertEquals(2, e.find("cove_session_metric_last", "app", cut).size(),
                    "the biggest series are kept, their app label cut to 100 characters: " + e.find("cove_session_metric_last"));
        }
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "cove.metrics.max.series=lots\n");
        DaemonProcess.Result r = DaemonProcess.runToExit(dir.resolve("data-bad"), "bad", WAIT, "--config", bad.toString());
        assertEquals(3, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("cove.metrics.max.series must be a whole number"), r.stderr());
    }

    static CliRun cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = CoveCli.commandLine(Map.of());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--data-dir", tmp.resolve("data").toString(), "--instance", INSTANCE));
        all.addAll(List.of(args));
        int exit = cmd.execute(all.toArray(String[]::new));
        return new CliRun(exit, out.toString(), err.toString());
    }

    record CliRun(int exit, String out, String err) {
    }

    @Test
    void coveMetricsPrintsTheExpositionAndWritesATextfileAtomically() throws IOException {
        CliRun r = cli("metrics");
        assertEquals(0, r.exit(), r.err());
        Exposition printed = Exposition.parse(r.out());
        assertEquals(1, printed.value("cove_sessions_by_status", "status", "crashed"));

        Path dir = Files.createDirectories(tmp.resolve("textfiles"));
        Path file = dir.resolve("cove.prom");
        r = cli("metrics", "--textfile", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.out(), "nothing on stdout with --textfile");
        assertEquals(PosixFilePermissions.fromString("rw-r--r--"), Files.getPosixFilePermissions(file),
                "node_exporter, often another user, must be able to read it");
        assertEquals(59.5, Exposition.parse(Files.readString(file)).value("cove_session_metric_last", "metric", "fps"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }

        CliRun bad = cli("metrics", "--textfile", dir.resolve("cove.txt").toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains(".prom"), bad.err());
        CliRun noFile = cli("metrics", "--every", "15s");
        assertEquals(2, noFile.exit());
        assertTrue(noFile.err().contains("--every needs --textfile"), noFile.err());
        CliRun tooFast = cli("metrics", "--textfile", file.toString(), "--every", "10ms");
        assertEquals(2, tooFast.exit());
        assertTrue(tooFast.err().contains("at least 1s"), tooFast.err());
        CliRun noDir = cli("metrics", "--textfile", tmp.resolve("missing/cove.prom").toString());
        assertEquals(2, noDir.exit());
        assertTrue(noDir.err().contains("does not exist"), noDir.err());
    }

    @Test
    void everyKeepsTheTextfileFresh() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("textfiles-every"));
        Path file = dir.resolve("cove.prom");
        java.util.concurrent.atomic.AtomicReference<CliRun> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread refresher = Thread.ofPlatform().name("cove-metrics-every").start(
                () -> result.set(cli("metrics", "--textfile", file.toString(), "--every", "1s")));
        try {
            Await.until(WAIT, () -> Files.exists(file), "the first textfile");
            double pings = Exposition.parse(Files.readString(file)).value("cove_rpc_calls_total", "method",
                    "query:core.ping.v1");
            for (int i = 0; i < 5; i++) {
                daemon.client().call(new Ping());
            }
            Await.until(WAIT, () -> {
                try {
                    return Exposition.parse(Files.readString(file)).value("cove_rpc_calls_total", "method",
                            "query:core.ping.v1") >= pings + 5;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "the textfile is rewritten with the later calls");
        } finally {
            refresher.interrupt(); // ends the --every loop's sleep
            refresher.join(10_000);
        }
        assertFalse(refresher.isAlive(), "the refresh loop ends when interrupted");
        assertEquals(0, result.get().exit(), result.get().err());
    }

    HttpResponse<String> getMetrics(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gql.port() + "/metrics"))
                .timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theGraphqlServersMetricsNeedItsToken() throws Exception {
        HttpResponse<String> none = getMetrics(null);
        assertEquals(401, none.statusCode());
        assertFalse(none.body().contains("cove_"), "no metric leaks without the token");
        HttpResponse<String> wrong = getMetrics("Bearer not-the-token");
        assertEquals(401, wrong.statusCode());
        assertFalse(wrong.body().contains("cove_"));

        HttpResponse<String> ok = getMetrics("Bearer " + token);
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertEquals(1, Exposition.parse(ok.body()).value("cove_sessions_by_status", "status", "crashed"));

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gql.port() + "/metrics"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    // ---- a real Prometheus ----

    @Test
    void aRealPrometheusScrapesCoveAndFindsTheSessionAndDaemonMetrics() throws Exception {
        Path prometheus = prometheus();
        Path dir = Files.createDirectories(tmp.resolve("prometheus"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: cove
                    metrics_path: /metrics
                    authorization:
                      credentials_file: %s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(TokenFile.of(daemon.paths()), gql.port()));
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Reaper.register(p.toHandle());
        try {
            String api = "http://127.0.0.1:" + port;
            awaitQuery(api, "up{job=\"cove\"}", r -> value(r) == 1, p, log);
            JsonNode crashed = awaitQuery(api, "cove_sessions{status=\"crashed\"}", r -> value(r) == 1, p, log);
            assertEquals("ShopApp", crashed.get(0).path("metric").path("app").asText());
            assertEquals("2.0", crashed.get(0).path("metric").path("version").asText());
            awaitQuery(api, "cove_sessions_by_status{status=\"active\"}", r -> value(r) == 1, p, log);
            awaitQuery(api, "cove_sessions_by_status{status=\"hung\"}", r -> value(r) == 1, p, log);
            JsonNode fps = awaitQuery(api, "cove_session_metric_last{app=\"ShopApp\",metric=\"fps\"}",
                    r -> value(r) == 59.5, p, log);
            assertEquals("2.1", fps.get(0).path("metric").path("version").asText());
            assertEquals("gauge", fps.get(0).path("metric").path("kind").asText());
            awaitQuery(api, "cove_session_metric_sum{app=\"ShopApp\",metric=\"requests\"}", r -> value(r) == 3, p, log);
            awaitQuery(api, "cove_rpc_calls_total{method=\"query:core.ping.v1\"}", r -> value(r) >= 3, p, log);
            // Prometheus itself calls the scrape method once a second, through the GraphQL server
            awaitQuery(api, "cove_rpc_calls_total{method=\"query:metrics.scrape.v1\"}", r -> value(r) >= 2, p, log);
            awaitQuery(api, "histogram_quantile(0.5, sum by (le) (cove_rpc_call_duration_seconds_bucket))",
                    r -> value(r) > 0, p, log);
            awaitQuery(api, "cove_upstream_state{state=\"off\"}", r -> value(r) == 1, p, log);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Reaper.unregister(p.toHandle());
        }
    }

    private static double value(JsonNode result) {
        return result.size() == 1 ? result.get(0).path("value").get(1).asDouble() : Double.NaN;
    }

    /** Polls Prometheus's query API until the result satisfies {@code ok}; returns that result. */
    private JsonNode awaitQuery(String api, String promql, java.util.function.Predicate<JsonNode> ok, Process p,
                                Path log) {
        JsonNode[] last = {null};
        String[] error = {null};
        try {
            Await.until(Duration.ofSeconds(60), () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("prometheus exited (" + p.exitValue() + "):\n" + read(log));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/query?query="
                            + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        error[0] = r.statusCode() + " " + r.body();
                        return false;
                    }
                    last[0] = JSON.readTree(r.body()).path("data").path("result");
                    return ok.test(last[0]);
                } catch (IOException e) {
                    error[0] = e.toString(); // not listening yet
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }, () -> "Prometheus to answer " + promql + " as expected; last result " + last[0] + ", last error "
                    + error[0] + "\n" + read(log));
        } catch (AssertionError e) {
            throw e;
        }
        return last[0];
    }

    private static String read(Path f) {
        try {
            String s = Files.readString(f);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Debian's prometheus; installed with apt-get when missing and possible, else the test is skipped.
     * Where services may start, the package also starts a system Prometheus on :9090 (not in containers whose
     * policy-rc.d forbids it, like this project's machines); the test's own server listens on a free port and
     * scrapes only the test's GraphQL server, so the two never meet.
     */
    static Path prometheus() throws Exception {
        return DebianPackage.ensure("prometheus", "this test needs a Prometheus server (Debian's package)",
                List.of("prometheus"), Path.of("/usr/bin"));
    }

    // ---- the Grafana dashboard ----

    private static final Pattern METRIC = Pattern.compile("\\b(cove_[a-z0-9_]+)\\b");
    private static final Pattern SELECTOR = Pattern.compile("\\b(cove_[a-z0-9_]+)\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

    @Test
    void theGrafanaDashboardQueriesOnlyWhatCoveExposes() throws IOException {
        Path file = docs().resolve("grafana/cove-sessions.json");
        JsonNode dash = JSON.readTree(file.toFile());
        Exposition e = scrape();
        Set<String> names = e.names();
        List<String> exprs = new ArrayList<>();
        collectExprs(dash, exprs);
        assertTrue(exprs.size() >= 5, "the dashboard has its panels' queries: " + exprs);
        Set<String> used = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            boolean any = false;
            while (m.find()) {
                any = true;
                used.add(m.group(1));
                assertTrue(names.contains(m.group(1)), "the dashboard queries " + m.group(1) + ", which Cove does not "
                        + "expose (in: " + expr + "); Cove exposes " + names);
            }
            assertTrue(any, "a panel query names no Cove metric: " + expr);
            Matcher s = SELECTOR.matcher(expr);
            while (s.find()) {
                Matcher l = MATCHER.matcher(s.group(2));
                while (l.find()) {
                    assertTrue(e.labelNames(s.group(1)).contains(l.group(1)) || l.group(1).equals("job")
                                    || l.group(1).equals("instance"),
                            s.group(1) + " has no label " + l.group(1) + " (in: " + expr + ")");
                }
            }
        }
        // the panels the issue asks for
        assertTrue(used.contains("cove_sessions"), "sessions over time: " + used);
        assertTrue(exprs.stream().anyMatch(x -> x.contains("crashed") && x.contains("version")), "crash rate by version");
        assertTrue(used.stream().anyMatch(n -> n.startsWith("cove_session_metric_")), "a session metric panel");
        assertTrue(used.contains("cove_rpc_calls_total"), "RPC rate");
        String text = Files.readString(file);
        assertTrue(text.contains("${DS_PROMETHEUS}"), "the data source is an import-time variable");
    }

    private static void collectExprs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            JsonNode expr = n.get("expr");
            if (expr != null && expr.isTextual()) {
                out.add(expr.asText());
            }
            n.elements().forEachRemaining(c -> collectExprs(c, out));
        } else if (n.isArray()) {
            n.elements().forEachRemaining(c -> collectExprs(c, out));
        }
    }

    private static Path docs() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("docs/grafana"))) {
                return d.resolve("docs");
            }
        }
        throw new AssertionError("docs/grafana not found above " + Path.of("").toAbsolutePath());
    }
}
