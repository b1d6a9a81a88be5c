package dev.cove.tests.daemon;

import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.api.core.ListInstances;
import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.api.core.Shutdown;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.InstanceStatus;
import dev.cove.tests.support.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One daemon per instance: a second start is refused, named instances live side by side, a crash frees the instance. */
class SingleInstanceTest {
    @TempDir
    Path tmp;

    @Test
    void secondStartOfTheSameInstanceIsRefusedAndTheFirstStillAnswers() throws IOException {
        Path data = tmp.resolve("data");
        try (DaemonProcess first = DaemonProcess.start(data)) {
            InstancePaths paths = first.paths();
            long socketInode = inode(paths.socket());

            DaemonProcess.Result second = DaemonProcess.runToExit(data, InstancePaths.DEFAULT, Duration.ofSeconds(30));
            assertEquals(1, second.exitCode(), "second start exits 1; stderr: " + second.stderr());
            assertTrue(second.stderr().contains("cove ping"), "names `cove ping`: " + second.stderr());
            assertTrue(second.stderr().contains("cove shutdown"), "names `cove shutdown`: " + second.stderr());
            assertTrue(second.stderr().contains(Long.toString(first.pid())), "names the running daemon's pid: "
                    + second.stderr());

            // the first is untouched: same process, same socket file, same lock holder
            assertTrue(first.process().isAlive());
            assertEquals(socketInode, inode(paths.socket()), "the socket file was not replaced");
            assertEquals(OptionalLong.of(first.pid()), InstanceLock.readPid(paths.lockFile()));
            try (CoreClient c = first.client()) {
                assertEquals(first.pid(), c.call(new Ping()).pid());
            }

            // a named instance names itself in the hint
            try (DaemonProcess named = DaemonProcess.start(data, "dev")) {
                DaemonProcess.Result again = DaemonProcess.runToExit(data, "dev", Duration.ofSeconds(30));
                assertEquals(1, again.exitCode(), again.stderr());
                assertTrue(again.stderr().contains("cove --instance dev ping"), again.stderr());
                assertTrue(again.stderr().contains("cove --instance dev shutdown"), again.stderr());
                assertTrue(named.process().isAlive());
            }
        }
    }

    @Test
    void twoNamedInstancesRunSideBySide() throws IOException {
        Path data = tmp.resolve("data");
        try (DaemonProcess alpha = DaemonProcess.start(data, "alpha");
             DaemonProcess beta = DaemonProcess.start(data, "beta")) {
            assertNotEquals(alpha.pid(), beta.pid());
            InstancePaths a = alpha.paths();
            InstancePaths b = beta.paths();
            assertEquals(data.resolve("daemon/daemon-alpha.sock"), a.socket());
            assertEquals(data.resolve("daemon/daemon-beta.sock"), b.socket());
            assertTrue(Files.exists(a.socket()) && Files.exists(b.socket()));
            assertNotEquals(inode(a.socket()), inode(b.socket()));
            assertEquals(OptionalLong.of(alpha.pid()), InstanceLock.readPid(a.lockFile()));
            assertEquals(OptionalLong.of(beta.pid()), InstanceLock.readPid(b.lockFile()));

            CoreClient ca = alpha.client();
            CoreClient cb = beta.client();
            Pong pa = ca.call(new Ping());
            Pong pb = cb.call(new Ping());
            assertEquals("alpha", pa.instance());
            assertEquals(alpha.pid(), pa.pid());
            assertEquals("beta", pb.instance());
            assertEquals(beta.pid(), pb.pid());
            DaemonStatus sa = ca.call(new GetStatus());
            DaemonStatus sb = cb.call(new GetStatus());
            assertEquals(data.resolve("instances/alpha").toString(), sa.instanceDataDir());
            assertEquals(data.resolve("instances/beta").toString(), sb.instanceDataDir());
            assertTrue(Files.isDirectory(data.resolve("instances/alpha")));
            assertTrue(Files.isDirectory(data.resolve("instances/beta")));
            assertNotEquals(sa.logFile(), sb.logFile());

            Map<String, InstanceStatus> listed = instances(cb);
            assertEquals(InstanceStatus.State.RUNNING, listed.get("alpha").state(), listed.toString());
            assertEquals(InstanceStatus.State.RUNNING, listed.get("beta").state(), listed.toString());
            assertEquals(alpha.pid(), listed.get("alpha").pid());
            assertEquals(beta.pid(), listed.get("beta").pid());

            // stopping one leaves the other
            ca.call(new Shutdown("test stops alpha"));
            assertEquals(0, alpha.awaitExit(Duration.ofSeconds(15)), alpha.output());
            assertEquals(InstanceStatus.State.STOPPED, instances(cb).get("alpha").state());
            assertFalse(Files.exists(a.socket()), "alpha's socket is gone");
            assertTrue(Files.exists(b.socket()), "beta's socket stays");
            assertEquals(beta.pid(), cb.call(new Ping()).pid());
            assertTrue(beta.process().isAlive());
            try (CoreClient fresh = beta.client()) {
                assertEquals("beta", fresh.call(new Ping()).instance());
            }
        }
    }

    @Test
    void killMinus9ThenRestartReplacesTheStaleSocket() throws IOException {
        Path data = tmp.resolve("data");
        long firstPid;
        InstancePaths paths;
        CoreClient survivor;
        try (DaemonProcess first = DaemonProcess.start(data)) {
            firstPid = first.pid();
            paths = first.paths();
            survivor = first.clientBuilder().connectRetry(Duration.ofMillis(200)).build();
            assertEquals(firstPid, survivor.call(new Ping()).pid());
            first.process().destroyForcibly(); // SIGKILL: no clean-up runs
            assertEquals(137, first.awaitExit(Duration.ofSeconds(10)));
        }
        assertTrue(Files.exists(paths.socket()), "a killed daemon leaves its socket behind");

        // a client says the socket is stale and how to start a daemon
        try (CoreClient c = CoreClient.builder().instance(paths).connectRetry(Duration.ofMillis(200)).build()) {
            RpcException e = assertThrows(RpcException.class, () -> c.call(new Ping()));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertEquals("stale_socket", e.details().get("reason"), e.getMessage());
            assertTrue(e.getMessage().contains(paths.socket().toString()), e.getMessage());
            assertTrue(e.getMessage().matches("(?s).*`cove [^`]*start`.*"), "names how to start it: " + e.getMessage());
        }

        // the kernel freed the lock with the process (probe it, then let go)
        try (FileChannel ch = FileChannel.open(paths.lockFile(), StandardOpenOption.WRITE)) {
            FileLock probe = ch.tryLock();
            assertNotNull(probe, "the lock of a killed daemon is free");
            probe.release();
        }

        // a client that was connected to the killed daemon fails its next call cleanly
        RpcException lost = assertThrows(RpcException.class, () -> survivor.call(new Ping()));
        assertTrue(lost.code() == ErrorCode.CONNECTION_LOST || lost.code() == ErrorCode.UNAVAILABLE, lost.toString());

        try (DaemonProcess second = DaemonProcess.start(data)) {
            assertNotEquals(firstPid, second.pid());
            assertEquals(second.pid(), survivor.call(new Ping()).pid(), "the old client reconnects to the new daemon");
            survivor.close();
            // the same path that refused connections a moment ago now leads to the new daemon
            assertEquals(OptionalLong.of(second.pid()), InstanceLock.readPid(paths.lockFile()));
            try (CoreClient c = second.client()) {
                Pong p = c.call(new Ping());
                assertEquals(second.pid(), p.pid());
            }
        }
    }

    static Map<String, InstanceStatus> instances(CoreClient c) {
        Map<String, InstanceStatus> m = new HashMap<>();
        for (InstanceStatus i : c.call(new ListInstances()).instances()) {
            m.put(i.name(), i);
        }
        return m;
    }

    static long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }
}
