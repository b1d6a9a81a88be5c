package dev.cove.tests.daemon;

import dev.cove.api.core.ClientList;
import dev.cove.api.core.ListClients;
import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.api.core.Shutdown;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.AutoStartRacerMain;
import dev.cove.tests.support.Daemons;
import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clients that find no daemon start one, and twenty of them racing start exactly one between them. */
class AutoStartRaceTest {
    static final int RACERS = 20;

    @TempDir
    Path tmp;

    @Test
    void twentyClientsRacingToAutoStartEndWithOneDaemonAndAllConnected() throws Exception {
        Path data = tmp.resolve("data");
        InstancePaths paths = new InstancePaths(data, "race");
        DaemonLauncher launcher = DaemonLauncher.command(Jvm.daemonCommand());

        // watch for daemon processes of this data dir for the whole race: a second one would show up here
        Set<Long> everSeen = ConcurrentHashMap.newKeySet();
        Map<Long, String> described = new ConcurrentHashMap<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                for (ProcessHandle p : Daemons.running(data)) {
                    if (everSeen.add(p.pid())) {
                        Reaper.register(p);
                        described.put(p.pid(), Daemons.describe(p));
                    }
                }
                try {
                    Thread.sleep(10); // poll interval; a JVM that starts lives far longer than this
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "daemon-watcher");
        watcher.setDaemon(true);
        watcher.start();

        List<CoreClient> clients = new ArrayList<>();
        Set<Long> pongPids = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch ready = new CountDownLatch(RACERS);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < RACERS; i++) {
                CoreClient c = CoreClient.builder().instance(paths).autoStart(launcher)
                        .startTimeout(Duration.ofSeconds(60)).timeout(Duration.ofSeconds(60))
                        .clientName("racer-" + i, "0").build();
                clients.add(c);
                Thread t = new Thread(() -> {
                    try {
                        ready.countDown();
                        go.await();
                        Pong p = c.call(new Ping());
                        pongPids.add(p.pid());
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "racer-" + i);
                threads.add(t);
                t.start();
            }
            assertTrue(ready.await(10, TimeUnit.SECONDS));
            assertTrue(Files.notExists(paths.socket()), "no daemon before the race");
            go.countDown();
            for (Thread t : threads) {
                t.join(90_000);
            }
            watching.set(false);
            watcher.join(5_000);

            assertTrue(failures.isEmpty(), "racers failed: " + failures);
            assertEquals(1, pongPids.size(), "all racers talk to one daemon: " + pongPids);
            long pid = pongPids.iterator().next();
            for (CoreClient c : clients) {
                assertTrue(c.isConnected(), "every racer is connected");
            }
            assertEquals(Set.of(pid), new TreeSet<>(everSeen), () -> "exactly one daemon process was ever started: "
                    + described);
            assertEquals(List.of(pid), Daemons.running(data).stream().map(ProcessHandle::pid).toList());
            ClientList connected = clients.getFirst().call(new ListClients());
            long racers = connected.clients().stream().filter(p -> p.name().startsWith("racer-")).count();
            assertEquals(RACERS, racers, "the daemon sees all twenty: " + connected);
            assertEquals("race", clients.getFirst().connect().instance());

            // clean up: a graceful stop
            ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
            clients.getFirst().call(new Shutdown("race test done"));
            daemon.onExit().get(15, TimeUnit.SECONDS);
            assertTrue(Files.notExists(paths.socket()));
        } finally {
            watching.set(false);
            clients.forEach(CoreClient::close);
            for (long pid : everSeen) {
                ProcessHandle.of(pid).ifPresent(Reaper::kill);
            }
            Daemons.running(data).forEach(Reaper::kill);
        }
    }

    @Test
    void racingProcessesAlsoStartOneDaemon() throws Exception {
        // the same race across processes, where only the file lock can coalesce the spawn
        Path data = tmp.resolve("data");
        InstancePaths paths = new InstancePaths(data, "procs");
        Path go = tmp.resolve("go");
        int processes = 3;
        int threadsEach = 4;
        List<Process> racers = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        Set<Long> everSeen = ConcurrentHashMap.newKeySet();
        Map<Long, String> seenAs = new ConcurrentHashMap<>();
        try {
            for (int i = 0; i < processes; i++) {
                List<String> args = new ArrayList<>(List.of(data.toString(), paths.instance(),
                        Integer.toString(threadsEach), go.toString()));
                args.addAll(Jvm.daemonCommand());
                Path out = tmp.resolve("racer-" + i + ".out");
                Process p = new ProcessBuilder(Jvm.testMainCommand(AutoStartRacerMain.class, args))
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                Reaper.register(p.toHandle());
                racers.add(p);
                outs.add(out);
            }
            for (int i = 0; i < processes; i++) {
                Path out = outs.get(i);
                Process p = racers.get(i);
                Await.until(Duration.ofSeconds(60), () -> read(out).contains("WAITING") || !p.isAlive(),
                        () -> "racer ready: " + read(out));
            }
            Files.createFile(go);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (racers.stream().anyMatch(Process::isAlive) && System.nanoTime() < deadline) {
                Daemons.running(data).forEach(p -> {
                    if (everSeen.add(p.pid())) {
                        Reaper.register(p);
                        seenAs.put(p.pid(), Daemons.describe(p));
                    }
                });
                Thread.sleep(10); // poll interval of the process watch
            }
            Daemons.running(data).forEach(p -> everSeen.add(p.pid()));
            Set<Long> pongs = new TreeSet<>();
            for (int i = 0; i < processes; i++) {
                assertTrue(racers.get(i).waitFor(5, TimeUnit.SECONDS), "racer " + i + " finished");
                String out = read(outs.get(i));
                assertFalse(out.contains("FAILED"), out);
                List<String> lines = out.lines().filter(l -> l.startsWith("PONG ")).toList();
                assertEquals(threadsEach, lines.size(), out);
                lines.forEach(l -> pongs.add(Long.parseLong(l.substring(5))));
            }
            assertEquals(1, pongs.size(), "all clients of all processes reached one daemon: " + pongs);
            assertEquals(pongs, new TreeSet<>(everSeen), () -> "exactly one daemon process was ever started: " + seenAs
                    + "; racers said: " + outs.stream().map(AutoStartRaceTest::read).toList());
        } finally {
            racers.forEach(p -> Reaper.kill(p.toHandle()));
            for (long pid : everSeen) {
                ProcessHandle.of(pid).ifPresent(Reaper::kill);
            }
            Daemons.running(data).forEach(Reaper::kill);
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
