package dev.cove.daemon;

import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.server.EventHub;
import dev.cove.rpc.server.RpcServer;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/** The running daemon as its operations see it: identity, paths, the bus, and how to stop it. */
public final class DaemonRuntime {
    private final DaemonOptions options;
    private final EventHub hub;
    private final Instant startedAt = Instant.now();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile String stopReason;
    private volatile int exitStatus;
    private volatile RpcServer server;

    DaemonRuntime(DaemonOptions options, EventHub hub) {
        this.options = options;
        this.hub = hub;
    }

    public InstancePaths paths() {
        return options.paths();
    }

    public DaemonOptions options() {
        return options;
    }

    public EventHub hub() {
        return hub;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public RpcServer server() {
        return server;
    }

    void attach(RpcServer server) {
        this.server = server;
    }

    /** Asks the daemon to stop; returns at once. The first reason given is the one logged. */
    public void requestStop(String reason) {
        requestStop(reason, 0);
    }

    /**
     * As {@link #requestStop(String)}, with the process's exit status: non-zero (e.g.
     * {@link Daemon#EXIT_RESTART}) tells a supervisor or systemd to start a fresh daemon.
     */
    public void requestStop(String reason, int exitStatus) {
        synchronized (this) {
            if (stopReason == null) {
                stopReason = reason;
                this.exitStatus = exitStatus;
            }
        }
        stopRequested.countDown();
    }

    int exitStatus() {
        return exitStatus;
    }

    public boolean isStopping() {
        return stopRequested.getCount() == 0;
    }

    String awaitStop() throws InterruptedException {
        stopRequested.await();
        return stopReason;
    }
}
