package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI as a user runs it: separate processes for the CLI and for every daemon. */
class CliProcessTest {
    @TempDir
    Path tmp;

    Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(tmp.resolve("data"));
    }

    @AfterEach
    void killDaemons() {
        cli.killDaemons();
    }

    @Test
    void startStatusCallMethodsShutdownAndStatusAfterwards() throws Exception {
        Result start = cli.runProcess("start");
        assertEquals(0, start.exit(), start::toString);
        assertTrue(start.out().contains("Cove daemon started"), start::toString);
        long pid = cli.lockPid("default");
        assertTrue(start.out().contains("pid " + pid), start::toString);
        Path socket = cli.paths("default").socket();
        assertTrue(Files.exists(socket), "socket after start");

        Result status = cli.runProcess("status");
        assertEquals(0, status.exit(), status::toString);
        for (String field : List.of("instance", "pid", "version", "uptime", "socket", "data dir", "log file", "clients",
                "methods", "subscriptions", "memory")) {
            assertTrue(Pattern.compile("(?m)^\\s+" + field + "\\s+\\S").matcher(status.out()).find(),
                    () -> "status shows " + field + "\n" + status);
        }
        assertTrue(Pattern.compile("(?m)^\\s+pid\\s+" + pid + "$").matcher(status.out()).find(), status::toString);
        assertTrue(Pattern.compile("(?m)^\\s+memory\\s+heap [0-9.]+ [KMG]iB").matcher(status.out()).find(),
                status::toString);

        Result call = cli.run("call", "query:core.status.v1", "--json");
        assertEquals(0, call.exit(), call::toString);
        JsonNode json = Json.MAPPER.readTree(call.out());
        assertEquals(pid, json.path("pid").asLong());
        assertEquals("default", json.path("instance").asText());
        assertEquals(socket.toString(), json.path("socket").asText());

        Result methods = cli.run("methods");
        assertEquals(0, methods.exit(), methods::toString);
        assertTrue(Pattern.compile("(?m)^query:core\\.ping\\.v1\\s+query\\s+Ping -> Pong$").matcher(methods.out()).find(),
                methods::toString);

        Result shutdown = cli.runProcess("shutdown");
        assertEquals(0, shutdown.exit(), shutdown::toString);
        assertTrue(shutdown.out().contains("Daemon shutdown requested"), shutdown::toString);
        // shutdown returns only once the daemon is gone, so a following start works
        assertFalse(Files.exists(socket), "socket removed when shutdown returns");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "daemon process gone");

        Result after = cli.runProcess("status");
        assertEquals(3, after.exit(), after::toString);
        assertTrue(after.err().matches("(?s).*`cove --data-dir \\S+ start`.*"), after::toString);
        assertEquals("", after.out(), "nothing on stdout for an error");
    }

    @Test
    void secondForegroundDaemonIsRefusedAndFirstKeepsServing() throws Exception {
        Process first = cli.spawn("daemon", "--log-level", "debug");
        try {
            Cli.await(Duration.ofSeconds(30), () -> !first.isAlive() || cli.run("ping").exit() == 0,
                    "the first `cove daemon` to answer");
            assertTrue(first.isAlive(), () -> "first daemon exited: " + cli.output(first));
            long pid = cli.lockPid("default");

            Result second = cli.runProcess("daemon");
            assertEquals(1, second.exit(), second::toString);
            assertTrue(second.err().contains("cove ping") && second.err().contains("cove shutdown"), second::toString);

            Result ping = cli.run("ping");
            assertEquals(0, ping.exit(), ping::toString);
            assertTrue(ping.out().contains("pid " + pid), ping::toString);

            // SIGTERM to the foreground CLI reaches its daemon, which stops gracefully
            first.destroy();
            assertTrue(first.waitFor(30, TimeUnit.SECONDS), "foreground cove exits");
            Cli.await(Duration.ofSeconds(10), () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "daemon " + pid + " to exit");
            assertFalse(Files.exists(cli.paths("default").socket()), "socket removed");
        } finally {
            first.destroyForcibly();
        }
    }
}
