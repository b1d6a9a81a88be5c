package dev.cove.rpc.host;

import dev.cove.rpc.AppIdentity;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.host.needs.NeedsClockOp;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host in this JVM, its clients over its real socket. */
class DaemonHostTest {
    static final AppIdentity APP = new AppIdentity("hosttest", "HOSTTEST", null);

    @TempDir
    Path dir;

    @Test
    void servesPingAndShutdownThenReleasesEverything() throws Exception {
        InstancePaths paths = new InstancePaths(dir, "one", APP);
        AtomicBoolean closed = new AtomicBoolean();
        DaemonHost host = DaemonHost.builder(paths).version("9.9")
                .service(AutoCloseable.class, () -> closed.set(true)).build();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(host::run);
        try (CoreClient client = CoreClient.builder().instance(paths).connectRetry(java.time.Duration.ofSeconds(60))
                .build()) {
            host.ready().get(60, TimeUnit.SECONDS);
            Ping.Pong pong = client.call(new Ping());
            assertEquals(new Ping.Pong("hosttest", "9.9", "one", ProcessHandle.current().pid()), pong);

            // a second host of the same instance is refused and leaves the first one serving
            assertEquals(DaemonHost.EXIT_ALREADY_RUNNING, DaemonHost.builder(paths).run());
            assertEquals(pong, client.call(new Ping()));

            client.call(new Shutdown("test"));
        }
        assertEquals(0, exit.get(60, TimeUnit.SECONDS));
        assertFalse(Files.exists(paths.socket()), "socket deleted");
        assertTrue(closed.get(), "services closed");
        InstanceLock.acquire(paths.lockFile()).close(); // released: takeable again
    }

    @Test
    void aHandlerAskingForAMissingServiceStopsTheStartWithItsName() throws Exception {
        InstancePaths paths = new InstancePaths(dir, "two", APP);
        DaemonHost refused = DaemonHost.builder(paths).operations(NeedsClockOp.class).build();
        assertEquals(DaemonHost.EXIT_START_FAILED, refused.run());
        assertTrue(refused.ready().isCompletedExceptionally());
        assertFalse(Files.exists(paths.socket()));
        // given the service, the same start succeeds
        DaemonHost ok = DaemonHost.builder(paths).operations(NeedsClockOp.class)
                .open(Clock.class, h -> Clock.systemUTC()).build();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(ok::run);
        ok.ready().join();
        ok.requestStop("test over");
        assertEquals(0, run.join());
    }

    @Test
    void fromArgsReadsWhatTheLauncherPassesAndRefusesTheRest() {
        DaemonHost h = DaemonHost.fromArgs(APP, "daemon", "--data-dir", dir.toString(), "--instance", "x").build();
        assertEquals(new InstancePaths(dir, "x", APP), h.paths());
        assertEquals(DaemonHost.EXIT_USAGE, DaemonHost.fromArgs(APP, "--data-dir", dir.toString(), "--bogus", "1").run());
        assertEquals(DaemonHost.EXIT_USAGE, DaemonHost.fromArgs(APP, "--instance", "Bad Name").run());
    }
}
