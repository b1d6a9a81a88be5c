package dev.cove.tests.daemon;

import dev.cove.api.core.ClientList;
import dev.cove.api.core.ListClients;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.SharedDaemon;
import dev.cove.tests.support.TestPlugin;
import dev.cove.tests.support.plugin.Echo;
import dev.cove.tests.support.plugin.Echoed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many clients and many threads at once, every answer checked against its own question. */
class LoadTest {
    static final int CLIENTS = 50;
    static final int CALLS = 1_000;

    @RegisterExtension
    static final SharedDaemon DAEMON = SharedDaemon.withTestPlugin("load");

    @Test
    void fiftyClientsTimesAThousandCallsAllCorrect() throws Exception {
        List<CoreClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            CoreClient c = DAEMON.daemon().clientBuilder().clientName("load-" + i, "0").build(); // Kryo, the default
            DAEMON.daemon().track(c);
            c.connect();
            clients.add(c);
        }
        try (CoreClient observer = DAEMON.daemon().client()) {
            // connect() returns on the daemon's hello; the daemon registers each client's own hello just after
            Await.until(Duration.ofSeconds(10), () -> loadClients(observer) == CLIENTS,
                    () -> "all clients connected at once: " + loadClients(observer));
        }
        AtomicLong correct = new AtomicLong();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        run(CLIENTS, i -> {
            CoreClient c = clients.get(i);
            for (int j = 0; j < CALLS; j++) {
                String text = "client " + i + " call " + j;
                Echoed e = c.call(new Echo(text, j));
                if (e.text().equals(text) && e.n() == j && e.pid() == DAEMON.daemon().pid() && e.instance().equals("load")) {
                    correct.incrementAndGet();
                } else if (wrong.size() < 20) {
                    wrong.add(text + " -> " + e);
                }
            }
        });
        assertTrue(wrong.isEmpty(), "wrong answers: " + wrong);
        assertEquals((long) CLIENTS * CALLS, correct.get());
        for (CoreClient c : clients) {
            assertTrue(c.isConnected(), "every client kept its one connection");
            c.close();
        }
    }

    @Test
    void oneClientSharedBySixteenThreads() throws Exception {
        for (Encoding encoding : Encoding.values()) {
            try (CoreClient shared = DAEMON.daemon().clientBuilder().encoding(encoding).build()) {
                AtomicLong correct = new AtomicLong();
                ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
                run(16, t -> {
                    for (int j = 0; j < CALLS; j++) {
                        String text = encoding + " thread " + t + " call " + j;
                        Echoed e = shared.call(new Echo(text, t * CALLS + j));
                        if (e.text().equals(text) && e.n() == t * CALLS + j && e.pid() == DAEMON.daemon().pid()) {
                            correct.incrementAndGet();
                        } else if (wrong.size() < 20) {
                            wrong.add(text + " -> " + e);
                        }
                    }
                });
                assertTrue(wrong.isEmpty(), encoding + ": answers went to the wrong thread: " + wrong);
                assertEquals(16L * CALLS, correct.get());
                assertTrue(shared.isConnected());
            }
        }
    }

    private static long loadClients(CoreClient observer) {
        ClientList connected = observer.call(new ListClients());
        return connected.clients().stream().filter(p -> p.name().startsWith("load-")).count();
    }

    interface Body {
        void run(int index) throws Exception;
    }

    /** Runs {@code n} threads that start together; rethrows the first failure. */
    static void run(int n, Body body) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    body.run(index);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "load-" + i);
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(120_000);
            assertTrue(!t.isAlive(), t.getName() + " did not finish within 2 minutes");
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " thread(s) failed; first: " + failures.peek(),
                    failures.peek());
            throw e;
        }
    }
}
