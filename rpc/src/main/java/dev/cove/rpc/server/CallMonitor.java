package dev.cove.rpc.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches calls that a connection's reader runs itself (see {@link ServerConnection}): one that is
 * still running after {@link #handOffNanos} gets its connection a new reader, so a slow call never
 * stops the connection from being read (cancels, pipelined calls, unsubscribes).
 *
 * <p>It ticks every {@value #TICK_MICROS} µs only while inline calls have run recently, and parks for
 * good after a quiet spell, so an idle daemon costs no wake-ups. Starting an inline call wakes it only
 * when it parked for good, so a burst of calls costs one wake-up, not one per call.
 */
final class CallMonitor {
    private static final long TICK_MICROS = 500;
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final RpcServer server;
    final long handOffNanos;
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean sleeping;
    private volatile long lastStart;
    private final Thread thread;

    CallMonitor(RpcServer server, long handOffNanos) {
        this.server = server;
        this.handOffNanos = handOffNanos;
        this.thread = Thread.ofPlatform().daemon().name("rpc-call-monitor").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    void stop() {
        thread.interrupt();
    }

    /** An inline call is starting. */
    void started() {
        running.incrementAndGet();
        lastStart = System.nanoTime();
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    void finished() {
        running.decrementAndGet();
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            if (running.get() == 0 && System.nanoTime() - lastStart > QUIET_NANOS) {
                sleeping = true;
                // re-check after announcing: a call that started in between has seen sleeping == true
                if (running.get() == 0) {
                    LockSupport.park(this);
                }
                sleeping = false;
                continue;
            }
            LockSupport.parkNanos(this, TimeUnit.MICROSECONDS.toNanos(TICK_MICROS));
            if (running.get() > 0) {
                long now = System.nanoTime();
                for (ServerConnection c : server.connections.values()) {
                    c.handOffIfSlow(now, handOffNanos);
                }
            }
        }
    }
}
