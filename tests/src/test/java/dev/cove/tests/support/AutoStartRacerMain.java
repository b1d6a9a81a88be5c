package dev.cove.tests.support;

import dev.cove.api.core.Pong;
import dev.cove.api.core.Ping;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;
import dev.cove.rpc.instance.InstancePaths;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One process of an auto-start race, run by the tests:
 * {@code AutoStartRacerMain DATA_DIR INSTANCE THREADS GO_FILE DAEMON_COMMAND...}. It prints
 * {@code WAITING}, waits for GO_FILE to appear, then has THREADS clients call ping at once, each
 * auto-starting the daemon if none answers, and prints {@code PONG <daemon pid>} per client.
 */
public final class AutoStartRacerMain {
    private AutoStartRacerMain() {
    }

    public static void main(String[] args) throws Exception {
        InstancePaths paths = new InstancePaths(Path.of(args[0]), args[1]);
        int threads = Integer.parseInt(args[2]);
        Path go = Path.of(args[3]);
        DaemonLauncher launcher = DaemonLauncher.command(List.of(args).subList(4, args.length));
        List<CoreClient> clients = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            clients.add(CoreClient.builder().instance(paths).autoStart(launcher).startTimeout(Duration.ofSeconds(60))
                    .clientName("racer-process-" + ProcessHandle.current().pid() + "-" + i, "0").build());
        }
        System.out.println("WAITING");
        System.out.flush();
        while (!Files.exists(go)) {
            Thread.sleep(2); // the start signal is a file; polling keeps the processes independent
        }
        List<Thread> ts = new ArrayList<>();
        for (CoreClient c : clients) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    Pong p = c.call(new Ping());
                    synchronized (System.out) {
                        System.out.println("PONG " + p.pid());
                    }
                } catch (RuntimeException e) {
                    synchronized (System.out) {
                        System.out.println("FAILED " + e);
                    }
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        clients.forEach(CoreClient::close);
        System.out.println("DONE");
        System.out.flush();
    }
}
