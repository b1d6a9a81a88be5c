package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.Cove;
import dev.cove.api.core.GetStatus;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command, run in-process through picocli against real daemons in their own processes. */
class CliCommandsTest {
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
    void namedInstancesAreIsolatedAndListedAndRestartReplacesTheDaemon() throws Exception {
        assertOk(cli.run("start"));
        assertOk(cli.run("--instance", "dev", "start"));
        long main = cli.lockPid("default");
        long dev = cli.lockPid("dev");
        assertNotEquals(main, dev);

        JsonNode devStatus = Json.MAPPER.readTree(assertOk(cli.run("--instance", "dev", "status", "--json")).out());
        assertEquals("dev", devStatus.path("instance").asText());
        assertEquals(dev, devStatus.path("pid").asLong());
        assertEquals(cli.paths("dev").socket().toString(), devStatus.path("socket").asText());
        assertTrue(devStatus.path("instanceDataDir").asText().endsWith("instances/dev"), devStatus::toString);

        Result instances = assertOk(cli.run("instances"));
        assertTrue(row("default", "running", main).matcher(instances.out()).find(), instances::toString);
        assertTrue(row("dev", "running", dev).matcher(instances.out()).find(), instances::toString);

        assertOk(cli.run("shutdown", "--instance", "dev"));
        Result ping = assertOk(cli.run("ping"));
        assertTrue(ping.out().contains("pid " + main), "the default daemon is untouched: " + ping);
        JsonNode listed = Json.MAPPER.readTree(assertOk(cli.run("instances", "--json")).out());
        List<String> states = new ArrayList<>();
        listed.path("instances").forEach(i -> states.add(i.path("name").asText() + ":" + i.path("state").asText()));
        assertEquals(List.of("default:RUNNING", "dev:STOPPED"), states);

        Result again = assertOk(cli.run("start"));
        assertTrue(again.out().contains("already running"), again::toString);

        Result restart = assertOk(cli.run("restart"));
        assertTrue(restart.out().contains("Daemon shutdown requested") && restart.out().contains("Cove daemon started"),
                restart::toString);
        assertNotEquals(main, cli.lockPid("default"), "restart runs a new daemon");
        assertFalse(ProcessHandle.of(main).map(ProcessHandle::isAlive).orElse(false), "the old daemon is gone");
    }

    /** {@code start} with settings while a daemon runs used to say "nothing to do" and exit 0 (issue 19). */
    @Test
    void startWithOtherSettingsThanTheRunningDaemonsSaysWhichAndFails() throws Exception {
        assertOk(cli.run("start"));
        long pid = cli.lockPid("default");
        JsonNode settings = Json.MAPPER.readTree(assertOk(cli.run("status", "--json")).out()).path("settings");
        assertEquals("0", settings.path("idle-timeout").asText(), settings::toString);
        assertEquals("info", settings.path("log-level").asText(), settings::toString);

        Result differ = cli.run("start", "--idle-timeout", "10m", "--log-level", "info", "--heap-window=0.5m");
        assertEquals(7, differ.exit(), differ::toString);
        assertTrue(differ.err().contains("--idle-timeout: it runs with 0 (off), given 10m"), differ::toString);
        assertFalse(differ.err().contains("--log-level") && differ.err().contains("given info"),
                "the same level is no difference: " + differ);
        assertFalse(differ.err().contains("--heap-window:"), "0.5m is the running 30s: " + differ);
        assertTrue(Pattern.compile("Run `cove --data-dir " + Pattern.quote(cli.dataDir().toString())
                + " restart [^`]*--idle-timeout 10m[^`]*` to apply them").matcher(differ.err()).find(), differ::toString);
        assertEquals(pid, cli.lockPid("default"), "the running daemon is left alone");

        Result same = assertOk(cli.run("start", "--idle-timeout", "0", "--heap-window", "30s"));
        assertTrue(same.out().contains("already running"), same::toString);

        Result unknown = cli.run("start", "--no-such-setting", "1");
        assertEquals(1, unknown.exit(), unknown::toString);
        assertTrue(unknown.err().contains("unknown option --no-such-setting"), unknown::toString);

        assertOk(cli.run("restart", "--idle-timeout", "10m"));
        JsonNode after = Json.MAPPER.readTree(assertOk(cli.run("status", "--json")).out()).path("settings");
        assertEquals("10m", after.path("idle-timeout").asText(), "restart applied it: " + after);
        assertOk(cli.run("start", "--idle-timeout", "600s"));
        assertTrue(assertOk(cli.run("status")).out().contains("--idle-timeout 10m"), "status shows the settings");
    }

    /**
     * A restart keeps what the running daemon was started with (the native client restarts a daemon of another
     * build, and must not reset the user's settings); options given still override.
     */
    @Test
    void restartKeepsTheRunningDaemonsSettingsUnlessGivenOthers() throws Exception {
        assertOk(cli.run("start", "--idle-timeout", "10m", "--shutdown-grace", "3", "--hang-window", "1.5",
                "--session-retention", "7", "--heap-limit", "80", "--heap-window", "45s", "--log-level", "debug"));
        JsonNode before = Json.MAPPER.readTree(assertOk(cli.run("status", "--json")).out()).path("settings");
        assertEquals("3s", before.path("shutdown-grace").asText(), before::toString);
        long pid = cli.lockPid("default");

        assertOk(cli.run("restart"));
        assertNotEquals(pid, cli.lockPid("default"), "restart runs a new daemon");
        JsonNode after = Json.MAPPER.readTree(assertOk(cli.run("status", "--json")).out()).path("settings");
        assertEquals(before, after, "the new daemon has the old one's settings");

        assertOk(cli.run("restart", "--log-level", "warn", "--shutdown-grace=5"));
        JsonNode given = Json.MAPPER.readTree(assertOk(cli.run("status", "--json")).out()).path("settings");
        assertEquals("warn", given.path("log-level").asText(), given::toString);
        assertEquals("5s", given.path("shutdown-grace").asText(), given::toString);
        assertEquals("10m", given.path("idle-timeout").asText(), "the others are kept: " + given);
        assertEquals("7d", given.path("session-retention").asText(), given::toString);
    }

    @Test
    void logsFollowAndEventsStreamUntilTheDaemonStops() throws Exception {
        assertOk(cli.run("start"));
        StringWriter logOut = new StringWriter();
        StringWriter logErr = new StringWriter();
        StringWriter eventOut = new StringWriter();
        StringWriter eventErr = new StringWriter();
        CompletableFuture<Integer> follow = CompletableFuture.supplyAsync(
                () -> cli.run(logOut, logErr, "logs", "--follow", "--level", "debug", "--target", "rpc"));
        CompletableFuture<Integer> events = CompletableFuture.supplyAsync(
                () -> cli.run(eventOut, eventErr, "events", "--json", "--type", "ClientConnected"));
        try (CoreClient watcher = Cove.client(cli.paths("default")).encoding(Encoding.JSON).build()) {
            Cli.await(Duration.ofSeconds(20), () -> follow.isDone() || events.isDone()
                    || watcher.call(new GetStatus()).subscriptions() >= 2, "both streams to subscribe");
        }
        assertFalse(follow.isDone(), () -> "logs --follow ended early: " + logErr);
        assertFalse(events.isDone(), () -> "events ended early: " + eventErr);

        // a client connecting makes the daemon log at debug (target rpc.server) and publish ClientConnected
        assertOk(cli.run("ping"));
        Cli.await(Duration.ofSeconds(10), () -> logOut.toString().contains("connected"), "a debug line from rpc");
        String lines = logOut.toString();
        assertTrue(Pattern.compile("(?m)^\\S+ DEBUG \\[.*] rpc\\.\\S+ - .*connected").matcher(lines).find(), lines);
        assertFalse(lines.contains("daemon.ops"), "--target rpc shows nothing from daemon.*: " + lines);
        Cli.await(Duration.ofSeconds(10), () -> eventOut.toString().contains("ClientConnected"), "a ClientConnected");
        JsonNode event = Json.MAPPER.readTree(eventOut.toString().lines().findFirst().orElseThrow());
        assertEquals("ClientConnected", event.path("type").asText());
        assertTrue(event.path("event").path("pid").asLong() > 0, event::toString);

        assertOk(cli.run("shutdown"));
        assertEquals(0, follow.get(10, TimeUnit.SECONDS), logErr::toString);
        assertEquals(0, events.get(10, TimeUnit.SECONDS), eventErr::toString);
        assertTrue(logErr.toString().contains("log stream ended"), logErr::toString);

        // the file is read directly: no daemon needed
        Result last = assertOk(cli.run("logs", "-n", "2"));
        List<String> tail = last.out().lines().toList();
        assertEquals(2, tail.size(), last::toString);
        assertTrue(tail.get(1).contains("stopped"), last::toString);
        Result rpcOnly = assertOk(cli.run("logs", "--target", "rpc"));
        assertTrue(!rpcOnly.out().isEmpty() && rpcOnly.out().lines().allMatch(l -> l.contains(" dev.cove.rpc.")),
                rpcOnly::toString);
        assertEquals("", assertOk(cli.run("logs", "--level", "error")).out(), "no errors were logged");
    }

    @Test
    void withoutADaemonCommandsSaySoWithExitStatus3() {
        for (String[] args : List.of(new String[]{"status"}, new String[]{"ping"}, new String[]{"methods"},
                new String[]{"call", "query:core.ping.v1"}, new String[]{"logs", "--follow"}, new String[]{"events"})) {
            Result r = cli.run(args);
            assertEquals(3, r.exit(), () -> Arrays.toString(args) + ": " + r);
            assertTrue(r.err().startsWith("cove: no Cove daemon is running")
                            && r.err().matches("(?s).*`cove --data-dir \\S+ start`.*"), // names this data dir
                    () -> Arrays.toString(args) + ": " + r);
        }
        Result stop = cli.run("shutdown");
        assertEquals(3, stop.exit(), stop::toString);
        assertTrue(stop.err().contains("nothing to stop"), stop::toString);

        Result logs = cli.run("logs");
        assertEquals(1, logs.exit(), logs::toString);
        assertTrue(logs.err().contains("no daemon has run"), logs::toString);

        Result instances = assertOk(cli.run("instances"));
        assertTrue(Pattern.compile("(?m)^\\s+default\\s+stopped\\s+-").matcher(instances.out()).find(), instances::toString);
        assertFalse(Files.exists(cli.paths("default").socket()), "nothing started a daemon");
    }

    @Test
    void usageErrorsExitWith2AndDaemonErrorsWith1() throws Exception {
        for (String[] args : List.of(new String[]{"frobnicate"}, new String[]{"status", "--bogus"},
                new String[]{"--instance", "Bad Name", "status"}, new String[]{"logs", "--level", "loud"},
                new String[]{"call"}, new String[]{"call", "core.ping"},
                new String[]{"call", "query:core.ping.v1", "{not json"})) {
            Result r = cli.run(args);
            assertEquals(2, r.exit(), () -> Arrays.toString(args) + ": " + r);
            assertTrue(r.err().startsWith("cove: ") && r.err().contains("--help` for usage"),
                    () -> Arrays.toString(args) + ": " + r);
        }
        assertTrue(cli.run("call", "query:core.ping.v1", "{not json").err().contains("not valid JSON"));

        assertOk(cli.run("start"));
        Result refused = cli.run("call", "query:core.ping.v1", "{\"loud\": true}");
        assertEquals(1, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("loud"), "the daemon's message names the field: " + refused);
        Result unknown = cli.run("call", "query:no.such.v1");
        assertEquals(1, unknown.exit(), unknown::toString);

        Path payload = tmp.resolve("payload.json");
        Files.writeString(payload, "{}");
        JsonNode pong = Json.MAPPER.readTree(assertOk(cli.run("call", "query:core.ping.v1", "--payload-file",
                payload.toString())).out());
        assertEquals(cli.lockPid("default"), pong.path("pid").asLong());

        Result schema = assertOk(cli.run("methods", "core.status"));
        assertTrue(schema.out().contains("query:core.status.v1") && schema.out().contains("\"uptimeMillis\""),
                schema::toString);
        assertEquals(1, cli.run("methods", "no.such").exit());
        JsonNode all = Json.MAPPER.readTree(assertOk(cli.run("methods", "--json")).out());
        assertTrue(all.path("methods").size() >= 6 && all.path("events").has("LogMessage"), all::toString);
    }

    @Test
    void aDaemonThatCannotStartGivesExitStatus5AndItsOutput() {
        Result r = cli.withEnv("COVE_JAVA_OPTS", "-XX:+NoSuchCoveFlag").run("--instance", "broken", "start");
        assertEquals(5, r.exit(), r::toString);
        assertTrue(r.err().contains("exited with status") && r.err().contains("NoSuchCoveFlag"), r::toString);
    }

    @Test
    void helpListsExitCodesAndCompletionIsABashScript() {
        Result help = assertOk(cli.run("--help"));
        for (String code : List.of("0", "1", "2", "3", "4", "5")) {
            assertTrue(Pattern.compile("(?m)^\\s+" + code + "\\s+\\S").matcher(help.out()).find(), help::toString);
        }
        Result completion = assertOk(cli.run("completion"));
        assertTrue(completion.out().contains("complete -F") && completion.out().contains("shutdown"),
                "a bash completion script naming the commands");
    }

    private static Pattern row(String name, String state, long pid) {
        return Pattern.compile("(?m)^\\s+" + name + "\\s+" + state + "\\s+" + pid + "\\s");
    }

    private static Result assertOk(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }
}
