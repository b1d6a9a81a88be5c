package dev.cove.tests.daemon;

import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.PrivateParentMain;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A private daemon lives and dies with the process that asked for it. */
class PrivateDaemonTest {
    @TempDir
    Path tmp;

    @Test
    void privateDaemonExitsAndCleansUpWhenItsParentIsKilled() throws Exception {
        Path data = tmp.resolve("data");
        Path out = tmp.resolve("parent.out");
        Path err = tmp.resolve("parent.err");
        List<String> args = new ArrayList<>();
        args.add(data.toString());
        args.addAll(Jvm.daemonCommand());
        Process parent = new ProcessBuilder(Jvm.testMainCommand(PrivateParentMain.class, args))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Reaper.register(parent.toHandle());
        ProcessHandle daemon = null;
        try {
            Await.until(Duration.ofSeconds(60), () -> readyLine(out).isPresent() || !parent.isAlive(),
                    "the parent's READY line");
            String[] ready = readyLine(out).orElseThrow(() -> new AssertionError("the parent exited with "
                    + parent.exitValue() + ":\n" + read(out) + read(err))).split(" ");
            long daemonPid = Long.parseLong(ready[1]);
            String instance = ready[2];
            assertEquals(instance, ready[3], "the daemon serves the instance the client asked for");
            assertTrue(instance.startsWith("p" + parent.pid() + "-"), "a fresh instance named after the parent: "
                    + instance);
            assertNotEquals(parent.pid(), daemonPid);
            daemon = ProcessHandle.of(daemonPid).orElseThrow(() -> new AssertionError("the daemon is not running"));
            Reaper.register(daemon);

            InstancePaths paths = new InstancePaths(data, instance);
            assertTrue(Files.exists(paths.socket()), "socket " + paths.socket());
            assertTrue(Files.exists(paths.lockFile()));
            assertTrue(Files.isDirectory(paths.instanceDataDir()));
            try (CoreClient c = CoreClient.builder().instance(paths).build()) {
                DaemonStatus s = c.call(new GetStatus());
                assertTrue(s.privateInstance());
                assertEquals(parent.pid(), s.parentPid());
                assertEquals(daemonPid, s.pid());
            }

            parent.destroyForcibly(); // SIGKILL: the parent gets no chance to say goodbye
            assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
            try {
                daemon.onExit().get(20, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the private daemon still runs 20 s after its parent was killed");
            }
            assertFalse(daemon.isAlive());
            assertFalse(Files.exists(paths.socket()), "socket removed");
            assertFalse(Files.exists(paths.lockFile()), "lock file removed");
            assertFalse(Files.exists(paths.instanceDataDir()), "instance folder removed");
            assertFalse(Files.exists(paths.logFile()), "log removed");
            assertFalse(Files.exists(paths.startupOutput()), "startup output removed");
        } finally {
            Reaper.kill(parent.toHandle());
            if (daemon != null) {
                Reaper.kill(daemon);
            }
        }
    }

    private static Optional<String> readyLine(Path out) {
        return read(out).lines().filter(l -> l.startsWith("READY ")).findFirst();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
