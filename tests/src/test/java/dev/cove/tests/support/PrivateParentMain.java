package dev.cove.tests.support;

import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The parent of a private daemon, run as a process of its own by the tests:
 * {@code PrivateParentMain DATA_DIR DAEMON_COMMAND...}. It starts its private daemon, prints
 * {@code READY <daemon pid> <instance>} and then waits to be killed.
 */
public final class PrivateParentMain {
    private PrivateParentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dataDir = Path.of(args[0]);
        List<String> command = List.of(args).subList(1, args.length);
        CoreClient client = CoreClient.builder().privateDaemon(dataDir).autoStart(DaemonLauncher.command(command))
                .clientName("private-parent", "0").build();
        Pong pong = client.call(new Ping());
        System.out.println("READY " + pong.pid() + " " + pong.instance() + " " + client.instance().instance());
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
