package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.sessions.Session;
import dev.cove.api.sessions.Sessions;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.cove.tests.cli.CliFilesTest.assertOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `cove sessions list / show / watch` against a real daemon, with a session registered through the Java client. */
class CliSessionsTest {
    @TempDir
    Path tmp;

    DaemonProcess daemon;

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void listShowAndWatchASession() throws Exception {
        daemon = DaemonProcess.start(tmp.resolve("data"));
        Cli cli = new Cli(tmp.resolve("data"));
        CoreClient client = daemon.client();
        try (Session session = Sessions.of(client).withFlushInterval(Duration.ZERO).start("PhotoApp", "2.1")) {
            session.state(Map.of("window", Map.of("open", List.of("w1", "w2"), "size", Map.of("width", 1280)),
                    "theme", "dark"));
            for (int i = 0; i < 40; i++) {
                session.metric("fps", 30 + i % 10);
            }
            session.event("file_opened", Map.of("size", 1234));
            assertTrue(session.flush(Duration.ofSeconds(20)), "the daemon has everything");

            Result list = assertOk(cli.run("sessions", "list", "--active"));
            assertTrue(list.out().lines().anyMatch(l -> l.contains(session.id()) && l.contains("PhotoApp")
                    && l.contains("active")), list::toString);
            Result none = assertOk(cli.run("sessions", "list", "--crashed"));
            assertFalse(none.out().contains(session.id()), none::toString);
            JsonNode json = Json.MAPPER.readTree(assertOk(cli.run("sessions", "list", "--app", "PhotoApp", "--json")).out());
            assertEquals(session.id(), json.path("sessions").get(0).path("sessionId").asText());

            Result show = assertOk(cli.run("sessions", "show", session.id()));
            String o = show.out();
            assertTrue(o.contains("PhotoApp 2.1"), o);
            assertTrue(o.contains("├─ window") || o.contains("└─ window"), "state as a tree: " + o);
            assertTrue(o.contains("open: [\"w1\",\"w2\"]") && o.contains("width: 1280"), o);
            assertTrue(o.contains("file_opened") && o.contains("size=1234"), "the timeline: " + o);
            assertTrue(o.lines().anyMatch(l -> l.contains("fps") && l.matches(".*[▁▂▃▄▅▆▇█].*") && l.contains("min 30")
                    && l.contains("max 39") && l.contains("p95")), "a sparkline with statistics: " + o);

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(
                    () -> cli.run(out, err, "sessions", "watch", "--session", session.id()));
            Cli.await(Duration.ofSeconds(20), () -> {
                session.event("tick", Map.of());
                session.flush(Duration.ofSeconds(5));
                return watch.isDone() || out.toString().contains("tick");
            }, "a live event in `sessions watch`");
            assertTrue(out.toString().contains("PhotoApp " + session.id() + " tick"), out::toString);
            daemon.close();
            assertEquals(0, watch.get(20, TimeUnit.SECONDS), err::toString);
            assertTrue(err.toString().contains("stream ended"), err::toString);
        }
    }
}
