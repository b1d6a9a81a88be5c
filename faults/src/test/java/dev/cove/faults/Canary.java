package dev.cove.faults;

import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Another, well-behaved client of the daemon under attack: a thread calling {@code core.ping} on a
 * connection of its own, over and over, checking every answer (it must come from the daemon's pid).
 * {@link #close} fails the test if any call failed or took longer than the call timeout.
 */
final class Canary implements AutoCloseable {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final long daemonPid;
    private final CoreClient client;
    private final Thread thread;
    private final AtomicLong answered = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean stop;

    private Canary(DaemonProcess daemon) {
        this.daemonPid = daemon.pid();
        this.client = daemon.clientBuilder().clientName("canary", "0").timeout(CALL_TIMEOUT).build();
        this.thread = Thread.ofPlatform().name("canary").daemon(true).start(this::loop);
    }

    /** Starts a canary and waits for its first answer. */
    static Canary start(DaemonProcess daemon) {
        Canary c = new Canary(daemon);
        c.awaitMore(1);
        return c;
    }

    private void loop() {
        while (!stop) {
            try {
                Pong p = client.call(new Ping());
                if (p.pid() != daemonPid) {
                    failures.add("ping answered by pid " + p.pid() + ", expected " + daemonPid);
                }
                answered.incrementAndGet();
            } catch (RpcException e) {
                if (!stop) {
                    failures.add("ping failed: " + e.code() + ": " + e.getMessage());
                }
            }
            try {
                Thread.sleep(2); // a steady trickle of calls, not a load of its own
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long answered() {
        return answered.get();
    }

    /** Waits until the canary has had {@code n} more answers: the daemon serves others right now. */
    void awaitMore(long n) {
        long target = answered.get() + n;
        Await.until(CALL_TIMEOUT.multipliedBy(2), () -> answered.get() >= target || !failures.isEmpty(),
                () -> "the canary to get " + n + " more ping answers (has " + answered.get() + ")");
        check();
    }

    /** Fails if any canary call failed so far. */
    void check() {
        if (!failures.isEmpty()) {
            throw new AssertionError("the canary client was not served: " + failures);
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(CALL_TIMEOUT.toMillis() + 5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
        check();
    }
}
