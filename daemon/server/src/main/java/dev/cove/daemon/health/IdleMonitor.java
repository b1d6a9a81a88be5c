package dev.cove.daemon.health;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Ends a daemon nobody uses: once no client has been connected and no job has been running for the
 * configured timeout, it asks the daemon to stop (exit status 0, so neither a supervisor nor systemd
 * starts it again; the next client that auto-starts brings it back).
 *
 * <p>Connections are reported as they open and close ({@link #activity()}), so a client that comes and
 * goes between two checks still counts; jobs are polled at each check, since a paused job is as much in
 * use as a running one and the job manager already knows both.
 */
public final class IdleMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IdleMonitor.class);

    private final Duration timeout;
    private final BooleanSupplier busy;
    private final Consumer<String> stop;
    private final ScheduledExecutorService timer;
    private volatile long lastActive = System.nanoTime();

    /**
     * @param busy true while a client is connected or a job is unfinished
     * @param stop asks the daemon to stop with the given reason
     */
    public IdleMonitor(Duration timeout, BooleanSupplier busy, Consumer<String> stop) {
        this.timeout = timeout;
        this.busy = busy;
        this.stop = stop;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idle-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts checking: ten times per timeout, between every 50 ms and every 5 s. */
    public IdleMonitor start() {
        lastActive = System.nanoTime(); // idle from when the daemon is ready, not from when it began starting
        long tick = Math.clamp(timeout.toMillis() / 10, 50, 5000);
        timer.scheduleWithFixedDelay(this::check, tick, tick, TimeUnit.MILLISECONDS);
        log.info("idle shutdown after {} without clients or jobs", format(timeout));
        return this;
    }

    /** A client connected or disconnected: the daemon is in use now. */
    public void activity() {
        lastActive = System.nanoTime();
    }

    private void check() {
        try {
            if (busy.getAsBoolean()) {
                lastActive = System.nanoTime();
                return;
            }
            long idleNanos = System.nanoTime() - lastActive;
            if (idleNanos >= timeout.toNanos()) {
                Instant since = Instant.now().minusNanos(idleNanos);
                String reason = "idle for " + format(Duration.ofNanos(idleNanos)) + " (no client connected and no job "
                        + "running since " + since + "; --idle-timeout " + format(timeout) + ")";
                log.info("idle shutdown: {}", reason);
                stop.accept(reason);
                timer.shutdown();
            }
        } catch (RuntimeException e) {
            // a failed check (the job store closing under us) must not end the schedule
            log.debug("idle check failed: {}", e.toString());
        }
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 120_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return ms < 7_200_000 ? ms / 60_000 + " min" : ms / 3_600_000 + " h";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
