package dev.cove.daemon.health;

import com.sun.management.GarbageCollectionNotificationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Health self-expiry: a daemon whose heap stays nearly full after garbage collection is leaking or
 * overloaded, and will only get slower until an OutOfMemoryError leaves it half-working. Better to
 * stop cleanly while it still can (jobs recorded, databases flushed, socket removed) and let the
 * supervisor or systemd start a fresh one.
 *
 * <p>The measurement comes from the collectors' own notifications: after every collection the JVM
 * reports each pool's usage, so the heap still in use after GC is known without polling and without
 * counting garbage that is merely waiting to be collected. The heap is "high" from the first
 * collection that leaves it above the limit until one leaves it below; a timer only checks how long
 * that has lasted, because a heap full of live data may see no further collection at all.
 */
public final class HeapMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeapMonitor.class);

    private final int limitPercent;
    private final Duration window;
    private final Consumer<String> stop;
    private final Set<String> heapPools;
    private final long maxBytes;
    private final List<Registration> registrations = new ArrayList<>();
    private final ScheduledExecutorService timer;
    /** System.nanoTime() of the first collection in the current run of "high" ones, or 0 when the heap is fine. */
    private volatile long highSince;
    private volatile double lastPercent;

    private record Registration(NotificationEmitter emitter, NotificationListener listener) {
    }

    public HeapMonitor(int limitPercent, Duration window, Consumer<String> stop) {
        this.limitPercent = limitPercent;
        this.window = window;
        this.stop = stop;
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName).collect(Collectors.toUnmodifiableSet());
        long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        this.maxBytes = max > 0 ? max : Runtime.getRuntime().maxMemory();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heap-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    public HeapMonitor start() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                NotificationListener l = this::onNotification;
                emitter.addNotificationListener(l, null, null);
                registrations.add(new Registration(emitter, l));
            }
        }
        long tick = Math.clamp(window.toMillis() / 10, 50, 5000);
        timer.scheduleWithFixedDelay(this::check, tick, tick, TimeUnit.MILLISECONDS);
        log.info("heap self-expiry: stops for a restart when the heap stays above {}% of {} MiB after GC for {}",
                limitPercent, maxBytes >> 20, IdleMonitor.format(window));
        return this;
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        double percent = 100.0 * used / maxBytes;
        lastPercent = percent;
        if (percent > limitPercent) {
            if (highSince == 0) {
                highSince = System.nanoTime();
                log.warn("heap {} after GC ({}): above the {}% limit; the daemon stops for a restart if it stays "
                        + "there for {}", describe(used, percent), info.getGcName(), limitPercent, IdleMonitor.format(window));
            }
        } else if (highSince != 0) {
            highSince = 0;
            log.info("heap back to {} after GC ({})", describe(used, percent), info.getGcName());
        }
    }

    private void check() {
        long since = highSince;
        if (since != 0 && System.nanoTime() - since >= window.toNanos()) {
            String reason = String.format(Locale.ROOT, "heap stayed above %d%% of its maximum (%d MiB) after garbage "
                    + "collection for %s (last %.0f%%); stopping so that a fresh daemon can take over", limitPercent,
                    maxBytes >> 20, IdleMonitor.format(Duration.ofNanos(System.nanoTime() - since)), lastPercent);
            log.error("health self-expiry: {}", reason);
            stop.accept(reason);
            timer.shutdown();
        }
    }

    private String describe(long used, double percent) {
        return String.format(Locale.ROOT, "%.0f%% (%d of %d MiB)", percent, used >> 20, maxBytes >> 20);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (Registration r : registrations) {
            try {
                r.emitter().removeNotificationListener(r.listener());
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
