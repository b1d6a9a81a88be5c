package dev.cove.tests.ops;

import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.ops.OpsCli.Result;
import dev.cove.tests.support.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cove start --supervise}: a real supervisor process restarting a real daemon. */
class SupervisorTest extends OpsTest {
    @Test
    void aKilledDaemonIsReplacedAndStopEndsDaemonAndSupervisor() throws IOException {
        InstancePaths paths = cli.paths();
        Result start = cli.run("start", "--supervise");
        assertEquals(0, start.exit(), start::toString);
        assertTrue(start.out().contains("supervisor pid"), start::toString);
        ProcessHandle supervisor = OpsCli.holder(paths.supervisorLockFile());
        ProcessHandle first = OpsCli.holder(paths.lockFile());
        assertEquals(supervisor.pid(), first.parent().map(ProcessHandle::pid).orElse(-1L),
                "the daemon is the supervisor's child");

        Result status = cli.run("status");
        assertTrue(status.out().matches("(?s).*supervisor\\s+pid " + supervisor.pid() + ", 0 restarts.*"), status::toString);

        // starting it again finds it running and changes nothing: still one supervisor
        Result again = cli.run("start", "--supervise");
        assertEquals(0, again.exit(), again::toString);
        assertTrue(again.out().contains("already running"), again::toString);

        long killedAt = System.nanoTime();
        first.destroyForcibly();
        long[] newPid = {-1};
        Await.until(Duration.ofSeconds(30), () -> {
            newPid[0] = answeringPid(paths);
            return newPid[0] > 0 && newPid[0] != first.pid();
        }, "a new daemon answering after kill -9 of pid " + first.pid());
        long latencyMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.println("[figure] supervised restart after kill -9: new daemon answered " + latencyMs + " ms later");
        assertNotEquals(first.pid(), newPid[0]);
        assertTrue(supervisor.isAlive(), "the same supervisor carries on");
        String log = Files.readString(paths.supervisorLogFile());
        assertTrue(log.contains("daemon (pid " + first.pid() + ") was killed by SIGKILL"), log);
        assertTrue(log.contains("restarting in 500 ms"), log);
        Result status2 = cli.run("status");
        assertTrue(status2.out().matches("(?s).*supervisor\\s+pid " + supervisor.pid()
                + ", 1 restart \\(last: daemon was killed by SIGKILL\\).*"), status2::toString);

        ProcessHandle second = OpsCli.holder(paths.lockFile());
        Result stop = cli.run("stop");
        assertEquals(0, stop.exit(), stop::toString);
        assertTrue(stop.out().contains("and its supervisor (pid " + supervisor.pid() + ")"), stop::toString);
        assertFalse(second.isAlive(), "daemon gone when stop returns");
        assertFalse(supervisor.isAlive(), "supervisor gone when stop returns");
        String log2 = Files.readString(paths.supervisorLogFile());
        assertTrue(log2.contains("stopped cleanly"), log2);
        assertEquals(2, log2.split("daemon started", -1).length - 1, "no restart after the clean stop\n" + log2);

        // and supervision can start again right away
        Result again2 = cli.run("start", "--supervise");
        assertEquals(0, again2.exit(), again2::toString);
        // `cove restart` keeps a supervised daemon supervised, by a new supervisor
        ProcessHandle oldSupervisor = OpsCli.holder(paths.supervisorLockFile());
        Result restart = cli.run("restart");
        assertEquals(0, restart.exit(), restart::toString);
        ProcessHandle newSupervisor = OpsCli.holder(paths.supervisorLockFile());
        assertNotEquals(oldSupervisor.pid(), newSupervisor.pid(), restart::toString);
        assertFalse(oldSupervisor.isAlive());
        assertTrue(cli.run("status").out().contains("supervisor     pid " + newSupervisor.pid()));
    }

    @Test
    void sigtermToTheSupervisorStopsBothWithoutRestart() throws Exception {
        InstancePaths paths = cli.paths();
        assertEquals(0, cli.run("start", "--supervise").exit());
        ProcessHandle supervisor = OpsCli.holder(paths.supervisorLockFile());
        ProcessHandle daemon = OpsCli.holder(paths.lockFile());
        supervisor.destroy(); // SIGTERM
        daemon.onExit().get(30, TimeUnit.SECONDS);
        supervisor.onExit().get(30, TimeUnit.SECONDS);
        String log = Files.readString(paths.supervisorLogFile());
        assertFalse(Files.exists(paths.socket()), () -> "the daemon stopped cleanly and removed its socket\n" + log
                + "\n--- daemon log ---\n" + read(paths.logFile()));
        assertTrue(log.contains("SIGTERM: stopping the daemon (pid " + daemon.pid() + ")"), log);
        assertTrue(log.contains("after a stop request (SIGTERM); supervisor stops"), log);
        assertEquals(1, log.split("daemon started", -1).length - 1, "started once, never restarted\n" + log);
    }

    @Test
    void repeatedCrashesMakeTheSupervisorGiveUpAndSaySo() throws Exception {
        InstancePaths paths = cli.paths();
        assertEquals(0, cli.run("start", "--supervise").exit());
        ProcessHandle supervisor = OpsCli.holder(paths.supervisorLockFile());
        ProcessHandle daemon = OpsCli.holder(paths.lockFile());
        // break the instance so that every new daemon fails at start: its job store becomes a folder
        breakJobStore(paths);
        daemon.destroyForcibly();

        // 5 crashes: the kill, then 4 failed starts after 0.5, 1, 2 and 4 s of backoff
        supervisor.onExit().get(90, TimeUnit.SECONDS);
        String log = Files.readString(paths.supervisorLogFile());
        assertTrue(log.contains("exited with status 3 (failed to start)"), log);
        assertTrue(log.contains("5 crashes within 60.0 s. Giving up; the daemon is not restarted"), log);
        assertTrue(log.contains("cove start --supervise"), "the log says how to start again\n" + log);
        for (String backoff : new String[]{"500 ms", "1.0 s", "2.0 s", "4.0 s"}) {
            assertTrue(log.contains("restarting in " + backoff), "backoff " + backoff + "\n" + log);
        }
        assertFalse(Files.exists(paths.supervisorStateFile()), "state file removed");
        // the doctor tells the next person what happened
        Result doctor = cli.run("doctor");
        assertEquals(1, doctor.exit(), doctor::toString);
        assertTrue(doctor.out().contains("the last supervisor gave up"), doctor::toString);
    }

    @Test
    void stopEndsASupervisorWhoseDaemonIsDownBetweenRestarts() throws Exception {
        InstancePaths paths = cli.paths();
        assertEquals(0, cli.run("start", "--supervise").exit());
        ProcessHandle supervisor = OpsCli.holder(paths.supervisorLockFile());
        ProcessHandle daemon = OpsCli.holder(paths.lockFile());
        Result json = cli.run("status", "--json");
        assertTrue(json.out().contains("\"pid\" : " + supervisor.pid()), json::toString);
        breakJobStore(paths); // so no restart succeeds and the daemon stays down
        daemon.destroyForcibly();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        Result stop = cli.run("stop");
        assertEquals(0, stop.exit(), stop::toString);
        assertTrue(stop.out().contains("stopped its supervisor (pid " + supervisor.pid() + ")")
                || stop.out().contains("and its supervisor (pid " + supervisor.pid() + ")"), stop::toString);
        assertFalse(supervisor.isAlive(), "the supervisor is gone when stop returns");
    }

    private static void breakJobStore(InstancePaths paths) throws IOException {
        Path jobs = paths.instanceDataDir().resolve("jobs.db");
        Files.move(jobs, jobs.resolveSibling("jobs.db.moved"));
        Files.deleteIfExists(jobs.resolveSibling("jobs.db-wal"));
        Files.deleteIfExists(jobs.resolveSibling("jobs.db-shm"));
        Files.createDirectory(jobs);
    }

    @Test
    void aBadDaemonOptionFailsTheStartAtOnceInsteadOfLooping() {
        Result start = cli.run("start", "--supervise", "--hang-window", "soon");
        assertEquals(5, start.exit(), start::toString);
        assertTrue(start.err().contains("--hang-window needs a number"), start::toString);
        assertFalse(Files.exists(cli.paths().socket()));
    }

    @Test
    void supervisingARunningUnsupervisedDaemonIsRefusedWithTheWayOut() {
        assertEquals(0, cli.run("start").exit());
        Result start = cli.run("start", "--supervise");
        assertEquals(1, start.exit(), start::toString);
        assertTrue(start.err().contains("without a supervisor. Stop it with `cove --data-dir " + cli.dataDir()
                + " stop`"), start::toString);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The pid of the daemon answering on the instance's socket, or -1. */
    private static long answeringPid(InstancePaths paths) {
        try (CoreClient c = CoreClient.builder().instance(paths).connectRetry(Duration.ZERO)
                .timeout(Duration.ofSeconds(5)).build()) {
            Pong p = c.call(new Ping());
            return p.pid();
        } catch (RpcException e) {
            return -1;
        }
    }

}
