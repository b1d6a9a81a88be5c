package dev.cove.tests.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.ops.OpsCli.Result;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cove doctor} against real daemons in good and bad states. */
class DoctorTest extends OpsTest {
    /** The checks of a JSON report by name. */
    private static Map<String, JsonNode> checks(JsonNode report) {
        Map<String, JsonNode> m = new HashMap<>();
        report.path("checks").forEach(c -> m.put(c.path("check").asText(), c));
        return m;
    }

    @Test
    void aHealthyDaemonPassesEveryCheck() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(cli.dataDir())) {
            Result r = cli.run("doctor", "--json");
            assertEquals(0, r.exit(), r::toString);
            JsonNode report = Json.MAPPER.readTree(r.out());
            assertTrue(report.path("healthy").asBoolean(), r::toString);
            Map<String, JsonNode> checks = checks(report);
            for (String name : new String[]{"data-dir", "daemon-dir", "lock", "socket-path", "socket", "daemon",
                    "version", "disk", "stale-files"}) {
                assertNotNull(checks.get(name), () -> name + " is checked\n" + r);
                assertEquals("OK", checks.get(name).path("status").asText(), () -> name + "\n" + r);
            }
            assertTrue(checks.get("lock").path("message").asText().contains("held by pid " + d.pid()), r::toString);
            assertTrue(checks.get("daemon").path("message").asText().contains("pid " + d.pid() + " answers"), r::toString);
            assertTrue(report.path("logTail").size() > 0, "the log's end is included\n" + r);

            Result human = cli.run("doctor");
            assertEquals(0, human.exit(), human::toString);
            assertTrue(human.out().contains("Everything looks healthy."), human::toString);
            assertTrue(human.out().contains("ready on"), "log tail printed\n" + human);
        }
    }

    @Test
    void aKilledDaemonLeavesAStaleSocketThatTheDoctorExplains() throws Exception {
        Path socket;
        long pid;
        try (DaemonProcess d = DaemonProcess.start(cli.dataDir())) {
            socket = d.paths().socket();
            pid = d.pid();
        } // close() is SIGKILL
        assertTrue(Files.exists(socket), "kill -9 leaves the socket behind");
        Result r = cli.run("doctor", "--json");
        assertEquals(1, r.exit(), r::toString);
        JsonNode daemon = checks(Json.MAPPER.readTree(r.out())).get("daemon");
        assertEquals("FAIL", daemon.path("status").asText(), r::toString);
        assertTrue(daemon.path("message").asText().startsWith("stale socket: " + socket), r::toString);
        assertTrue(daemon.path("message").asText().contains("(pid " + pid + ")"), r::toString);
        assertTrue(daemon.path("fix").asText().startsWith("cove --data-dir " + cli.dataDir() + " start"), r::toString);
        assertTrue(daemon.path("fix").asText().contains("rm " + socket), r::toString);
        JsonNode lock = checks(Json.MAPPER.readTree(r.out())).get("lock");
        assertTrue(lock.path("message").asText().startsWith("free"), r::toString);
        assertTrue(Files.exists(socket), "the doctor changes nothing");
    }

    @Test
    void loosePermissionsAreFoundWithTheChmodThatFixesThem() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(cli.dataDir())) {
            assertEquals(Set.copyOf(PosixFilePermissions.fromString("rwx------")),
                    Files.getPosixFilePermissions(cli.dataDir()), "a new data folder is created 0700");
            Files.setPosixFilePermissions(cli.dataDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(d.paths().socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            Result r = cli.run("doctor");
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.out().contains("WARN  data-dir      data folder " + cli.dataDir() + " has mode rwxr-xr-x (755)"),
                    r::toString);
            assertTrue(r.out().contains("fix: chmod 700 " + cli.dataDir()), r::toString);
            assertTrue(r.out().contains("FAIL  socket        " + d.paths().socket() + " has mode 666, not 600"), r::toString);
            assertTrue(r.out().contains("fix: chmod 600 " + d.paths().socket()), r::toString);
            assertTrue(r.out().contains("2 problems found"), r::toString);
        }
    }

    @Test
    void aLongSocketPathIsCheckedThroughItsShortLink() throws Exception {
        OpsCli longCli = new OpsCli(tmp.resolve("x".repeat(90)).resolve("data"));
        try (DaemonProcess d = DaemonProcess.start(longCli.dataDir())) {
            Result r = longCli.run("doctor", "--json");
            assertEquals(0, r.exit(), r::toString);
            JsonNode path = checks(Json.MAPPER.readTree(r.out())).get("socket-path");
            assertEquals("OK", path.path("status").asText(), r::toString);
            assertTrue(path.path("message").asText().matches("\\d+ bytes, over the 100-byte limit, so the daemon "
                    + "binds via /tmp/cove-[^/]+/[0-9a-f]{12} \\(link in place\\)"), r::toString);
            // a link pointing elsewhere is found, with its fix
            Path link = Path.of(path.path("message").asText().replaceFirst(".* binds via (\\S+) .*", "$1"));
            Files.delete(link);
            Files.createSymbolicLink(link, tmp);
            Result bad = longCli.run("doctor", "--json");
            assertEquals(1, bad.exit(), bad::toString);
            JsonNode badPath = checks(Json.MAPPER.readTree(bad.out())).get("socket-path");
            assertEquals("FAIL", badPath.path("status").asText(), bad::toString);
            assertTrue(badPath.path("fix").asText().startsWith("rm " + link + " && cove --data-dir "), bad::toString);
            Files.delete(link);
            Files.createSymbolicLink(link, d.paths().daemonDir()); // put it back for the daemon's sake
        }
    }

    @Test
    void withNoDaemonItSaysSoWithTheStartCommandAndStartsNone() throws Exception {
        Result r = cli.run("doctor", "--json");
        assertEquals(1, r.exit(), r::toString);
        JsonNode daemon = checks(Json.MAPPER.readTree(r.out())).get("daemon");
        assertEquals("WARN", daemon.path("status").asText(), r::toString);
        assertTrue(daemon.path("message").asText().startsWith("no Cove daemon is running"), r::toString);
        assertEquals("cove --data-dir " + cli.dataDir() + " start", daemon.path("fix").asText(), r::toString);
        InstancePaths paths = cli.paths();
        assertFalse(Files.exists(paths.socket()), "doctor must not start a daemon");
        assertFalse(Files.exists(paths.lockFile()), "doctor must not start a daemon");
    }
}
