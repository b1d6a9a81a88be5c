package dev.cove.tests.ops;

import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.ops.OpsCli.Result;
import dev.cove.tests.ops.plugin.Hog;
import dev.cove.tests.ops.plugin.Hogged;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.Jvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A daemon that ends itself: when nobody uses it (idle timeout), and when its heap stays full (self-expiry). */
class LifetimeTest extends OpsTest {
    @Test
    void anIdleDaemonStopsCleanlyButNotWhileAClientIsConnected() throws Exception {
        try (DaemonProcess d = DaemonProcess.start(tmp.resolve("data"), InstancePaths.DEFAULT, "--idle-timeout", "1s")) {
            CoreClient client = d.client();
            client.connect();
            // three timeouts with a client connected: still there (the check runs ten times per timeout)
            assertFalse(Await.within(Duration.ofSeconds(3), () -> !d.process().isAlive()),
                    "the daemon stays while a client is connected" + d.output());
            long closedAt = System.nanoTime();
            client.close();
            assertEquals(0, d.awaitExit(Duration.ofSeconds(30)), "a clean stop" + d.output());
            long ms = (System.nanoTime() - closedAt) / 1_000_000;
            System.out.println("[figure] idle timeout 1 s: the daemon exited " + ms + " ms after its last client left");
            String log = d.log();
            assertTrue(log.contains("idle shutdown: idle for"), log);
            assertTrue(log.contains("no client connected and no job running since"), log);
            assertTrue(log.contains("--idle-timeout 1.0 s"), log);
            assertTrue(log.contains("stopped"), log);
            assertFalse(Files.exists(d.paths().socket()), "socket removed");
        }
    }

    @Test
    void cliStartPassesTheIdleTimeoutOnAndRejectsABadOne() throws Exception {
        Result bad = cli.run("start", "--idle-timeout", "later");
        assertEquals(2, bad.exit(), bad::toString);
        assertTrue(bad.err().contains("--idle-timeout needs a duration such as 30s"), bad::toString);

        Result start = cli.run("start", "--idle-timeout", "500ms");
        assertEquals(0, start.exit(), start::toString);
        ProcessHandle daemon = OpsCli.holder(cli.paths().lockFile());
        daemon.onExit().get(30, TimeUnit.SECONDS);
        assertTrue(Files.readString(cli.paths().logFile()).contains("idle shutdown: idle for"));
        assertFalse(Files.exists(cli.paths().socket()));
    }

    @Test
    void aDaemonWhoseHeapStaysFullStopsCleanlyAndTheSupervisorStartsAFreshOne() throws IOException {
        HogPlugin.installInto(cli.dataDir());
        // a small, fixed heap and the simplest collector, so "full" is a matter of megabytes
        OpsCli small = cli.withEnv("COVE_JAVA_OPTS", String.join(" ", Jvm.flags()) + " -Xmx256m -XX:+UseSerialGC");
        Result start = small.run("start", "--supervise", "--heap-limit", "40", "--heap-window", "1s");
        assertEquals(0, start.exit(), start::toString);
        InstancePaths paths = cli.paths();
        ProcessHandle first = OpsCli.holder(paths.lockFile());

        Hogged hogged;
        try (CoreClient c = CoreClient.builder().instance(paths).timeout(Duration.ofSeconds(60)).build()) {
            hogged = c.call(new Hog(110));
        }
        assertTrue(hogged.heapUsedBytes() > hogged.heapMaxBytes() * 0.4, "the leak fills the heap past the limit: "
                + hogged);

        Await.until(Duration.ofSeconds(60), () -> !first.isAlive(), "the daemon with the full heap to stop");
        ProcessHandle[] second = new ProcessHandle[1];
        Await.until(Duration.ofSeconds(60), () -> {
            try {
                second[0] = OpsCli.holder(paths.lockFile());
                return second[0].pid() != first.pid() && Files.exists(paths.socket());
            } catch (AssertionError notYet) {
                return false;
            }
        }, "a fresh daemon started by the supervisor");
        assertNotEquals(first.pid(), second[0].pid());

        String log = Files.readString(paths.logFile());
        assertTrue(log.contains("above the 40% limit"), log);
        assertTrue(log.contains("health self-expiry: heap stayed above 40% of its maximum"), log);
        assertTrue(log.contains("stopped (exit status 75: start again)"), "a clean stop, asking for a restart\n" + log);
        String supervisorLog = Files.readString(paths.supervisorLogFile());
        assertTrue(supervisorLog.contains("daemon (pid " + first.pid() + ") stopped to be replaced"), supervisorLog);
        assertFalse(supervisorLog.contains("crash 1"), "not counted as a crash\n" + supervisorLog);
    }
}
