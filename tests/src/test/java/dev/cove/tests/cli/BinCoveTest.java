package dev.cove.tests.cli;

import dev.cove.tests.support.Await;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code bin/cove} script itself, as a newcomer runs it: start, status, the GraphQL server with its token,
 * shutdown. The other CLI tests run the CLI's main class directly, so a mistake in the script (the class path
 * it gives the GraphQL server, say) would pass them all. {@code COVE_NO_BUILD=1}: the jars Maven packaged for
 * this run are the ones to use; {@code COVE_NO_AOT=1}: no start-up cache is trained inside the test.
 */
class BinCoveTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern GRAPHIQL = Pattern.compile("Open GraphiQL: (http://[^/]+)/#token=(\\S+)$");

    @TempDir
    Path tmp;
    private final List<Process> started = new ArrayList<>();
    private Path data;

    private ProcessBuilder cove(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/cove").toString(), "--data-dir", data.toString(),
                "--instance", "bincove"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("COVE_NO_BUILD", "1");
        pb.environment().put("COVE_NO_AOT", "1");
        pb.environment().remove("COVE_DATA_DIR");
        return pb;
    }

    private record Result(int exit, String out) {
    }

    private Result run(String... args) throws Exception {
        Process p = cove(args).redirectErrorStream(true).start();
        Reaper.register(p.toHandle());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "bin/cove " + String.join(" ", args) + " did not end: " + out);
        return new Result(p.exitValue(), out);
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (data != null && Files.exists(data.resolve("instances/bincove"))) {
            run("shutdown");
        }
    }

    @Test
    void startStatusGraphqlWithItsTokenAndShutdownThroughTheScript() throws Exception {
        data = tmp.resolve("data");
        Result start = run("start");
        assertEquals(0, start.exit(), start.out());
        assertTrue(start.out().contains("Cove daemon started"), start.out());

        Result status = run("status");
        assertEquals(0, status.exit(), status.out());
        assertTrue(status.out().contains("Cove daemon is running") && status.out().contains("bincove"), status.out());

        Process gql = cove("graphql", "--port", "0").redirectErrorStream(true).start();
        started.add(gql);
        Reaper.register(gql.toHandle());
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(gql.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        String[] found = new String[2];
        Await.until(Duration.ofSeconds(60), () -> {
            synchronized (lines) {
                for (String line : lines) {
                    Matcher m = GRAPHIQL.matcher(line);
                    if (m.find()) {
                        found[0] = m.group(1);
                        found[1] = m.group(2);
                        return true;
                    }
                }
            }
            assertTrue(gql.isAlive(), "bin/cove graphql exited with " + (gql.isAlive() ? "" : gql.exitValue()) + ": " + lines);
            return false;
        }, () -> "the GraphiQL address in the output of bin/cove graphql: " + lines);

        Path tokenFile = data.resolve("instances/bincove/graphql/token");
        assertEquals(found[1], Files.readString(tokenFile).strip(), "the printed token is the one in the file");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));

        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder query = HttpRequest.newBuilder(URI.create(found[0] + "/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ librariesList { libraries { name } } }\"}"));
        HttpResponse<String> refused = http.send(query.copy().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode(), refused.body());
        HttpResponse<String> ok = http.send(query.copy().header("Authorization", "Bearer " + Files.readString(tokenFile).strip())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().contains("\"librariesList\""), ok.body());

        gql.destroy();
        assertTrue(gql.waitFor(20, TimeUnit.SECONDS), "the GraphQL server stops on SIGTERM");
        reader.join(Duration.ofSeconds(5));

        Result down = run("shutdown");
        assertEquals(0, down.exit(), down.out());
        Result after = run("status");
        assertTrue(after.exit() != 0, "status after shutdown: " + after.out());
    }
}
