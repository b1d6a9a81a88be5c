package dev.cove.rpc.client;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A live subscription. Read it with {@link #next} / {@link #poll}; close it to unsubscribe. The
 * client's reader thread never waits for a slow consumer: if this stream's buffer is full, events
 * are dropped and reported as a local {@link StreamItem.Lagged}.
 */
public final class EventStream implements AutoCloseable {
    private final long subscription;
    private final BlockingQueue<StreamItem> items;
    private final AtomicLong localMissed = new AtomicLong();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Runnable unsubscribe;
    private volatile long lastSeq;

    EventStream(long subscription, int capacity, Runnable unsubscribe) {
        this.subscription = subscription;
        this.items = new ArrayBlockingQueue<>(capacity);
        this.unsubscribe = unsubscribe;
    }

    public long subscriptionId() {
        return subscription;
    }

    /** Waits for the next item. After {@link StreamItem.Ended}, returns it again at once. */
    public StreamItem next() throws InterruptedException {
        StreamItem i = pending();
        return i != null ? i : settle(items.take());
    }

    /** Waits up to {@code timeout} for the next item; null when none came. */
    public StreamItem poll(Duration timeout) throws InterruptedException {
        StreamItem i = pending();
        return i != null ? i : settle(items.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** Hands every item to {@code consumer} on the calling thread until the stream ends. */
    public void forEach(Consumer<StreamItem> consumer) throws InterruptedException {
        while (true) {
            StreamItem i = next();
            consumer.accept(i);
            if (i instanceof StreamItem.Ended) {
                return;
            }
        }
    }

    public boolean isEnded() {
        return ended.get() && items.isEmpty();
    }

    private StreamItem pending() {
        long missed = localMissed.getAndSet(0);
        if (missed > 0) {
            return new StreamItem.Lagged(missed, lastSeq, true);
        }
        return null;
    }

    private StreamItem settle(StreamItem i) {
        if (i instanceof StreamItem.Ended e) {
            items.offer(e); // keep answering Ended to later reads
        }
        return i;
    }

    void deliver(StreamItem item) {
        if (item instanceof StreamItem.Delivered d) {
            lastSeq = d.seq();
        }
        if (item instanceof StreamItem.Ended) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            while (!items.offer(item)) {
                StreamItem dropped = items.poll(); // make room: the end must always arrive
                if (dropped != null) {
                    localMissed.incrementAndGet();
                }
            }
            return;
        }
        if (!items.offer(item)) {
            localMissed.incrementAndGet();
        }
    }

    @Override
    public void close() {
        if (!ended.get()) {
            unsubscribe.run();
        }
    }
}
