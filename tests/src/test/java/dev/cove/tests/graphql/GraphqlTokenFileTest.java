package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.DefaultLibrary;
import dev.cove.api.locations.AddLocation;
import dev.cove.graphql.TokenFile;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.OtherUser;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 items 5 and 6, issue 19 item 10, through {@code GraphqlMain} processes as {@code bin/cove graphql} runs
 * them, on a daemon of their own (no server of the test's JVM holds this instance's token file):
 * no token on a command line, a token file only for a server that listens, no answer from a half schema
 * (issue 19 item 10), and {@code filesSearch}'s defaults (issue 19 item 13).
 */
class GraphqlTokenFileTest {
    private static final Pattern URL = Pattern.compile("Cove GraphQL: (http://\\S+/) ");
    private static final Pattern TOKEN = Pattern.compile("Open GraphiQL: http://\\S+/#token=(\\S+)$");
    private static final String INTROSPECT = "{\"query\":\"{ __schema { queryType { name } mutationType { name } "
            + "subscriptionType { name } } }\"}";

    @TempDir
    static Path dir;
    private static InstancePaths paths;
    private static Process daemon;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startDaemon() throws IOException {
        paths = new InstancePaths(dir.resolve("data"), "gql-token");
        daemon = GraphqlRig.startDaemon(paths, dir);
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            Reaper.kill(daemon.toHandle());
        }
    }

    private static GraphqlMainTest.Running run(InstancePaths p, Map<String, String> env, String... args)
            throws IOException {
        List<String> all = new ArrayList<>(List.of("--data-dir", p.dataDir().toString(), "--instance", p.instance()));
        all.addAll(List.of(args));
        return GraphqlMainTest.runWith(env, all);
    }

    private static GraphqlMainTest.Running exited(GraphqlMainTest.Running r, int status) throws InterruptedException {
        assertTrue(r.process().waitFor(60, TimeUnit.SECONDS), "the server exits; output: " + r.out());
        assertEquals(status, r.process().exitValue(), "output: " + r.out());
        return r;
    }

    private static String output(GraphqlMainTest.Running r) {
        // the reader thread may still be on its last lines when the process has exited
        Await.until(GraphqlRig.WAIT, () -> !r.out().isEmpty(), "the server printed why");
        return String.join("\n", r.out());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aTokenOnTheCommandLineIsRefusedPointingToTheSafeForms() throws Exception {
        GraphqlMainTest.Running r = exited(run(paths, Map.of(), "--port", "0", "--token", "cmdline-secret-123"), 2);
        String out = output(r);
        assertTrue(out.contains("--token-file") && out.contains("COVE_GRAPHQL_TOKEN") && out.contains("/proc"), out);
        assertFalse(out.contains("cmdline-secret-123"), "the refused token is not echoed: " + out);
        assertTrue(Files.notExists(TokenFile.of(paths)), "nothing written");
    }

    @Test
    void aTokenFileOfOursWithMode0600IsUsedAndNotPrinted(@TempDir Path tmp) throws Exception {
        String token = "file-token-" + ProcessHandle.current().pid();
        Path file = tmp.resolve("token");
        Files.writeString(file, token + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        GraphqlMainTest.Running r = run(paths, Map.of(), "--port", "0", "--token-file", file.toString());
        try {
            URI base = URI.create(r.await(URL));
            assertEquals(401, send(GraphqlMainTest.post(base, token + "x")).statusCode());
            Await.until(GraphqlRig.WAIT, () -> send(GraphqlMainTest.post(base, token)).body().contains("\"connected\":true"),
                    "the file's token is required and works");
            assertEquals(token, GraphqlMainTest.read(TokenFile.of(paths)), "the server's own token file holds it");
            assertTrue(r.out().stream().noneMatch(l -> l.contains(token)), "a given token is not printed: " + r.out());
        } finally {
            stop(r);
        }
    }

    @Test
    void aTokenFileOthersCouldReadOrSwapIsRefused(@TempDir Path tmp) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Path loose = tmp.resolve("loose");
        Files.writeString(loose, "t1\n");
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(output(exited(run(paths, Map.of(), "--port", "0", "--token-file", loose.toString()), 2))
                .contains("--token-file " + loose + " has mode rw-r--r--: others may have read it"));

        Path good = tmp.resolve("good");
        Files.writeString(good, "t2\n");
        Files.setPosixFilePermissions(good, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), good);
        assertTrue(output(exited(run(paths, Map.of(), "--port", "0", "--token-file", link.toString()), 2))
                .contains("--token-file " + link + " is a symlink"));

        assertTrue(output(exited(run(paths, Map.of(), "--port", "0", "--token-file", tmp.toString()), 2))
                .contains("is not a regular file"));

        if ("root".equals(System.getProperty("user.name"))) {
            Path theirs = tmp.resolve("theirs");
            Files.writeString(theirs, "t3\n");
            Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rw-------"));
            Files.setOwner(theirs, FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            assertTrue(output(exited(run(paths, Map.of(), "--port", "0", "--token-file", theirs.toString()), 2))
                    .contains("--token-file " + theirs + " belongs to nobody"));
        }
        assertTrue(Files.notExists(TokenFile.of(paths)), "no refused start wrote a token file");
    }

    /**
     * Issue 18 item 6: a second server on the port of a running one fails without touching the first's token file,
     * with which the README's curl keeps working; the first removes the file when it stops.
     */
    @Test
    void aSecondServerOnATakenPortLeavesTheFirstsTokenFile() throws Exception {
        Path file = TokenFile.of(paths);
        GraphqlMainTest.Running first = run(paths, Map.of(), "--port", "0");
        try {
            URI base = URI.create(first.await(URL));
            String token = first.await(TOKEN);
            assertEquals(token, GraphqlMainTest.read(file));
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));

            GraphqlMainTest.Running second = exited(run(paths, Map.of(), "--port", String.valueOf(base.getPort())), 1);
            assertTrue(output(second).contains("cannot listen"), second.out().toString());
            assertEquals(token, GraphqlMainTest.read(file), "the first server's token file is untouched");
            assertEquals("rw-------", mode);
            // the README's curl: the token from the file
            Await.until(GraphqlRig.WAIT, () -> send(GraphqlMainTest.post(base, GraphqlMainTest.read(file))).body()
                    .contains("\"connected\":true"), "the first server still answers the file's token");

            first.process().destroy(); // SIGTERM
            assertTrue(first.process().waitFor(30, TimeUnit.SECONDS), "the first server stops");
            assertTrue(Files.notExists(file), "a stopped server removes its token file");
        } finally {
            Reaper.kill(first.process().toHandle());
        }
    }

    /**
     * Issue 18 item 6: another user squats the port. The server cannot bind and leaves no token file, not even the
     * stale one a killed server left: the owner's curl must not hand any token to the squatter.
     */
    @Test
    void aPortSquattedByAnotherUserLeavesNoTokenFile() throws Exception {
        OtherUser.require();
        Path file = TokenFile.of(paths);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "left-by-a-killed-server\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        int port = freePort();
        Process squatter = OtherUser.start(OtherUser.scratch("cove-squat"), "listen", String.valueOf(port));
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(squatter.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("LISTENING", r.readLine(), "nobody listens on " + port);
            GraphqlMainTest.Running s = exited(run(paths, Map.of(), "--port", String.valueOf(port)), 1);
            assertTrue(output(s).contains("cannot listen on 127.0.0.1:" + port), s.out().toString());
            assertTrue(Files.notExists(file), "no token file behind (the stale one is gone too)");
        } finally {
            Reaper.kill(squatter.toHandle());
        }
    }

    /**
     * Issue 19 item 10: until the daemon's description is in, {@code /graphql} answers 503 with Retry-After (after
     * the token check), never the placeholder schema; the first 200 to an introspection query has the whole schema.
     */
    @Test
    void answers503UntilTheWholeSchemaIsIn(@TempDir Path tmp) throws Exception {
        InstancePaths none = new InstancePaths(tmp.resolve("data"), "gql-late");
        String token = "late-token-" + ProcessHandle.current().pid();
        int port = freePort();
        GraphqlMainTest.Running r = run(none, Map.of("COVE_GRAPHQL_TOKEN", token), "--port", String.valueOf(port),
                "--no-auto-start");
        Process late = null;
        try {
            URI base = URI.create(r.await(URL));
            HttpResponse<String> early = send(introspect(base, token));
            assertEquals(503, early.statusCode(), early.body());
            assertEquals("1", early.headers().firstValue("Retry-After").orElse(null));
            JsonNode err = GraphqlRig.JSON.readTree(early.body()).path("errors").path(0);
            assertEquals("UNAVAILABLE", err.path("extensions").path("code").asText(), early.body());
            assertTrue(err.path("message").asText().contains("cove start"), early.body());
            assertEquals(401, send(introspect(base, null)).statusCode(), "the token is checked first");

            late = GraphqlRig.startDaemon(none, tmp);
            List<Integer> statuses = new ArrayList<>();
            JsonNode[] first200 = {null};
            Await.until(GraphqlRig.WAIT, () -> {
                HttpResponse<String> a = send(introspect(base, token));
                statuses.add(a.statusCode());
                if (a.statusCode() == 503) {
                    assertTrue(a.headers().firstValue("Retry-After").isPresent());
                    return false;
                }
                first200[0] = json(a.body());
                return true;
            }, "the server answers once the daemon is in");
            assertEquals(200, statuses.getLast(), statuses.toString());
            JsonNode schema = first200[0].path("data").path("__schema");
            assertEquals("Subscription", schema.path("subscriptionType").path("name").asText(), first200[0].toString());
            assertEquals("Mutation", schema.path("mutationType").path("name").asText(), first200[0].toString());
        } finally {
            stop(r);
            if (late != null) {
                Reaper.kill(late.toHandle());
            }
        }
    }

    /** Issue 19 item 10, from a cold start: the very first 200 the server gives is already the whole schema. */
    @Test
    void theFirst200ToAnIntrospectionQueryHasTheWholeSchema() throws Exception {
        String token = "first-token-" + ProcessHandle.current().pid();
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        GraphqlMainTest.Running r = run(paths, Map.of("COVE_GRAPHQL_TOKEN", token), "--port", String.valueOf(port));
        try {
            List<String> seen = new ArrayList<>();
            JsonNode[] first200 = {null};
            // as fast as it goes: the race is between the port opening and the schema being built
            Await.until(GraphqlRig.WAIT, () -> {
                HttpResponse<String> a;
                try {
                    a = send(introspect(base, token));
                } catch (java.io.UncheckedIOException e) {
                    assertTrue(e.getCause() instanceof java.net.ConnectException, e.toString());
                    assertTrue(r.process().isAlive(), "the server runs; output: " + r.out());
                    return false;
                }
                seen.add(String.valueOf(a.statusCode()));
                if (a.statusCode() == 200) {
                    first200[0] = json(a.body());
                    return true;
                }
                return false;
            }, () -> "a 200; seen " + seen);
            assertNotNull(first200[0]);
            JsonNode sub = first200[0].path("data").path("__schema").path("subscriptionType");
            assertEquals("Subscription", sub.path("name").asText(), "the first 200 (after " + seen + "): " + first200[0]);
        } finally {
            stop(r);
        }
    }

    /**
     * Issue 19 item 13: {@code filesSearch} needs neither {@code library} nor {@code limit}; left out, they are what
     * the CLI uses: the default library of {@code cove library use} (read from the same settings file) and
     * {@link SearchFiles#DEFAULT_LIMIT} rows.
     */
    @Test
    void filesSearchDefaultsToTheClisLibraryAndPageSize(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("docs"));
        int files = SearchFiles.DEFAULT_LIMIT + 10;
        for (int i = 0; i < files; i++) {
            Files.writeString(folder.resolve(String.format("note-%03d.txt", i)), "x");
        }
        String id;
        try (CoreClient c = CoreClient.builder().instance(paths).timeout(Duration.ofSeconds(30)).build()) {
            id = c.call(new CreateLibrary("Defaults")).id();
            c.call(new AddLocation(id, folder.toString()));
            Await.until(GraphqlRig.WAIT, () -> c.call(new SearchFiles(id, "note-")).entries().size() == files,
                    "the folder is indexed");
        }
        Path config = tmp.resolve("config");
        Map<String, String> env = Map.of("COVE_GRAPHQL_TOKEN", "search-token", "XDG_CONFIG_HOME", config.toString());
        GraphqlMainTest.Running r = run(paths, env, "--port", "0");
        try {
            URI base = URI.create(r.await(URL));
            String query = "{ filesSearch(text: \\\"note-\\\") { entries { name } nextCursor } }";
            JsonNode none = await200(base, "search-token", query);
            assertEquals("INVALID_INPUT", none.path("errors").path(0).path("extensions").path("code").asText(), none.toString());
            assertTrue(none.path("errors").path(0).path("message").asText().contains("cove library use"), none.toString());

            // what `cove library use Defaults` writes, where the CLI keeps it
            DefaultLibrary where = DefaultLibrary.of(env, paths);
            Files.createDirectories(where.file().getParent());
            Properties p = new Properties();
            p.setProperty(where.key(), id);
            try (java.io.Writer w = Files.newBufferedWriter(where.file())) {
                p.store(w, null);
            }
            JsonNode page = await200(base, "search-token", query);
            assertFalse(page.has("errors"), page.toString());
            assertEquals(SearchFiles.DEFAULT_LIMIT, page.path("data").path("filesSearch").path("entries").size(), page.toString());
            assertFalse(page.path("data").path("filesSearch").path("nextCursor").isNull(), "more pages: " + page);

            JsonNode given = await200(base, "search-token",
                    "{ filesSearch(library: \\\"Defaults\\\", text: \\\"note-\\\", limit: 3) { entries { name } } }");
            assertEquals(3, given.path("data").path("filesSearch").path("entries").size(), given.toString());

            JsonNode args = await200(base, "search-token", "{ __type(name: \\\"Query\\\") { fields { name args { name "
                    + "defaultValue type { kind } } } } }");
            for (JsonNode f : args.path("data").path("__type").path("fields")) {
                if (!f.path("name").asText().equals("filesSearch")) {
                    continue;
                }
                for (JsonNode a : f.path("args")) {
                    if (a.path("name").asText().equals("library")) {
                        assertEquals("SCALAR", a.path("type").path("kind").asText(), "library is optional: " + a);
                    }
                    if (a.path("name").asText().equals("limit")) {
                        assertEquals("SCALAR", a.path("type").path("kind").asText(), "limit is optional: " + a);
                        assertEquals(String.valueOf(SearchFiles.DEFAULT_LIMIT), a.path("defaultValue").asText(), a.toString());
                    }
                }
            }
        } finally {
            stop(r);
        }
    }

    /** POSTs {@code query} until the server answers 200 (it answers 503 until the daemon's schema is in). */
    private JsonNode await200(URI base, String token, String query) {
        JsonNode[] out = {null};
        Await.until(GraphqlRig.WAIT, () -> {
            HttpResponse<String> a = send(HttpRequest.newBuilder(base.resolve("/graphql"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"" + query + "\"}")).build());
            if (a.statusCode() != 200) {
                return false;
            }
            out[0] = json(a.body());
            return true;
        }, () -> "a 200 to " + query);
        return out[0];
    }

    private static HttpRequest introspect(URI base, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/graphql")).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(INTROSPECT));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    private static JsonNode json(String text) {
        try {
            return GraphqlRig.JSON.readTree(text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, then waits: the token file is removed by the server's own shutdown, before the next test. */
    private static void stop(GraphqlMainTest.Running r) throws InterruptedException {
        r.process().destroy();
        if (!r.process().waitFor(30, TimeUnit.SECONDS)) {
            Reaper.kill(r.process().toHandle());
        }
    }
}
