package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.graphql.TokenFile;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GraphqlMain} as {@code bin/cove graphql} runs it: the packaged jar with its lib/ folder (so the
 * GraphiQL WebJars must be there), its printed address, its token, its exit codes.
 */
class GraphqlMainTest {
    @RegisterExtension
    static final GraphqlRig rig = new GraphqlRig("gql-main");

    private static final Pattern URL = Pattern.compile("Cove GraphQL: (http://\\S+/) ");
    private static final Pattern TOKEN = Pattern.compile("Open GraphiQL: http://\\S+/#token=(\\S+)$");

    /** The module's packaged jar and lib folder, as bin/cove puts them on the class path. */
    static String packagedClasspath() throws IOException {
        Path target = Path.of("").toAbsolutePath().getParent().resolve("clients/graphql/target");
        try (Stream<Path> s = Files.list(target)) {
            Path jar = s.filter(p -> p.getFileName().toString().matches("cove-graphql-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no cove-graphql jar in " + target + ": package the module first"));
            return jar + File.pathSeparator + target.resolve("lib") + File.separator + "*";
        }
    }

    record Running(Process process, List<String> out) {
        String await(Pattern p) {
            String[] found = {null};
            Await.until(GraphqlRig.WAIT, () -> {
                for (String line : out) {
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        found[0] = m.group(1);
                        return true;
                    }
                }
                assertTrue(process.isAlive() || !out.isEmpty(), "the server exited");
                return false;
            }, () -> p + " in the output: " + out);
            return found[0];
        }
    }

    private static Running run(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--data-dir", rig.paths().dataDir().toString(), "--instance",
                rig.paths().instance()));
        all.addAll(List.of(args));
        return runWith(Map.of(), all);
    }

    static Running runWith(Map<String, String> env, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Jvm.java()));
        cmd.addAll(Jvm.flags());
        cmd.addAll(List.of("-cp", packagedClasspath(), "dev.cove.graphql.GraphqlMain"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        Reaper.register(p.toHandle());
        List<String> out = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        return new Running(p, out);
    }

    @Test
    void servesGraphiqlAndTheEndpointAndStopsOnSigterm() throws Exception {
        Running r = run("--port", "0", "--no-auto-start");
        try {
            URI base = URI.create(r.await(URL));
            GraphqlRig.Answer page = rig.send(HttpRequest.newBuilder(base).GET().build());
            assertEquals(200, page.status());
            assertTrue(page.text().contains("/assets/graphiql.min.js") && !page.text().contains("https://"), page.text());
            for (String asset : List.of("graphiql.min.js", "graphiql.min.css", "react.production.min.js",
                    "react-dom.production.min.js", "cove-graphiql.js")) {
                GraphqlRig.Answer a = rig.send(HttpRequest.newBuilder(base.resolve("/assets/" + asset)).GET().build());
                assertEquals(200, a.status(), asset);
            }
            String token = r.await(TOKEN);
            assertEquals(401, rig.send(post(base, null)).status(), "loopback is not a credential");
            Await.until(GraphqlRig.WAIT, () -> rig.send(post(base, token)).text().contains("\"connected\":true"),
                    "the server connects to the daemon");
            r.process().destroy(); // SIGTERM, as Ctrl-C or a service manager would
            assertTrue(r.process().waitFor(30, TimeUnit.SECONDS), "the server stops");
            assertEquals(143, r.process().exitValue(), "the JVM's status after SIGTERM; output: " + r.out());
        } finally {
            Reaper.kill(r.process().toHandle());
        }
    }

    @Test
    void bindingBeyondLoopbackGeneratesAndRequiresAToken() throws Exception {
        Running r = run("--port", "0", "--bind", "0.0.0.0", "--no-auto-start");
        try {
            URI base = URI.create(r.await(URL));
            String token = r.await(TOKEN);
            assertTrue(token.length() >= 24, token);
            assertEquals(401, rig.send(post(base, null)).status());
            Await.until(GraphqlRig.WAIT, () -> rig.send(post(base, token)).text().contains("\"connected\":true"),
                    "with the token, the query runs");
        } finally {
            Reaper.kill(r.process().toHandle());
        }
    }

    @Test
    void theGeneratedTokenIsPrintedOnceAndKeptInAPrivateFile() throws Exception {
        Running r = run("--port", "0", "--no-auto-start");
        try {
            URI base = URI.create(r.await(URL));
            String token = r.await(TOKEN);
            Path file = TokenFile.of(rig.paths());
            Await.until(GraphqlRig.WAIT, () -> token.equals(read(file)),
                    "the token file holds the printed token");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
            assertTrue(token.length() >= 40, token);
            long printed = r.out().stream().filter(l -> l.contains(token)).count();
            assertEquals(1, printed, "the token is printed once (in the GraphiQL address): " + r.out());
            Await.until(GraphqlRig.WAIT, () -> rig.send(post(base, read(file))).text()
                    .contains("\"connected\":true"), "a client reading the token file gets in");
            assertEquals(rig.token(), token, "a second server of the instance shares the running one's token, "
                    + "so the documented curl works against both");
            r.process().destroy();
            assertTrue(r.process().waitFor(30, TimeUnit.SECONDS), "the server stops");
            assertEquals(rig.token(), read(file), "the file stays: the server that wrote it still runs "
                    + "(GraphqlTokenFileTest: a server that wrote it removes it)");
        } finally {
            Reaper.kill(r.process().toHandle());
        }
    }

    @Test
    void aTokenFromTheEnvironmentIsRequiredAndNotPrinted() throws Exception {
        String token = "env-token-" + ProcessHandle.current().pid();
        List<String> args = List.of("--data-dir", rig.paths().dataDir().toString(), "--instance", rig.paths().instance(),
                "--port", "0", "--no-auto-start");
        Running r = runWith(Map.of("COVE_GRAPHQL_TOKEN", token), args);
        try {
            URI base = URI.create(r.await(URL));
            r.await(TOKEN);
            assertTrue(r.out().stream().noneMatch(l -> l.contains(token)), "a given token is not echoed: " + r.out());
            assertEquals(401, rig.send(post(base, token + "x")).status());
            Await.until(GraphqlRig.WAIT, () -> rig.send(post(base, token)).text().contains("\"connected\":true"),
                    "the environment's token works");
        } finally {
            Reaper.kill(r.process().toHandle());
        }
    }

    @Test
    void noAuthIsOnlyForLoopbackAndWarns() throws Exception {
        Running beyond = run("--port", "0", "--bind", "0.0.0.0", "--no-auth");
        assertTrue(beyond.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, beyond.process().exitValue(), "output: " + beyond.out());
        Await.until(GraphqlRig.WAIT, () -> String.join("\n", beyond.out()).contains("only allowed on a loopback bind"),
                () -> "message: " + beyond.out());

        Running r = run("--port", "0", "--no-auto-start", "--no-auth");
        try {
            URI base = URI.create(r.await(URL));
            Await.until(GraphqlRig.WAIT, () -> String.join("\n", r.out()).contains("any local user"),
                    () -> "the warning names the risk: " + r.out());
            Await.until(GraphqlRig.WAIT, () -> rig.send(post(base, null)).text().contains("\"connected\":true"),
                    "--no-auth serves without a token");
        } finally {
            Reaper.kill(r.process().toHandle());
        }
    }

    /** What bin/cove exports for the programs it runs, so that they can start a daemon. */
    @Test
    void startsTheDaemonWhenNoneRuns(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Running r = runWith(Map.of("COVE_DAEMON_CLASSPATH", Jvm.daemonClasspath(), "COVE_JAVA", Jvm.java(),
                "COVE_JAVA_OPTS", String.join(" ", Jvm.flags())),
                List.of("--data-dir", data.toString(), "--instance", "gql-auto", "--port", "0"));
        long[] daemonPid = {0};
        try {
            URI base = URI.create(r.await(URL));
            String token = r.await(TOKEN);
            Await.until(Duration.ofSeconds(60), () -> {
                JsonNode s = rig.send(post(base, token)).json();
                daemonPid[0] = s == null ? 0 : s.path("data").path("_server").path("daemonPid").asLong();
                return s != null && s.path("data").path("_server").path("connected").asBoolean();
            }, () -> "the server starts a daemon and connects; output: " + r.out());
            assertTrue(daemonPid[0] > 0 && ProcessHandle.of(daemonPid[0]).isPresent(), "the daemon runs: " + daemonPid[0]);
            assertTrue(Files.exists(data.resolve("daemon/daemon-gql-auto.sock")));
        } finally {
            Reaper.kill(r.process().toHandle());
            if (daemonPid[0] > 0) {
                ProcessHandle.of(daemonPid[0]).ifPresent(Reaper::kill);
            }
        }
    }

    @Test
    void badArgumentsExitWith2AndSayWhy() throws Exception {
        Running r = run("--port", "nope");
        assertTrue(r.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, r.process().exitValue());
        Await.until(GraphqlRig.WAIT, () -> String.join("\n", r.out()).contains("--port takes a number"), () -> "message: " + r.out());
    }

    /** The token file as a client reads it; null while it does not exist. */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static HttpRequest post(URI base, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/graphql")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ _server { connected daemonPid } }\"}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }
}
