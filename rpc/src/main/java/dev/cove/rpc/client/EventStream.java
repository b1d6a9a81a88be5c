package dev.cove.rpc.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A live subscription. Read it with {@link #next} / {@link #poll}; close it to unsubscribe. The
 * client's reader thread never waits for a slow consumer: if this stream's buffer is full, events
 * are dropped and reported as a local {@link StreamItem.Lagged}.
 */
public final class EventStream implements AutoCloseable {
    private final long subscription;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<StreamItem> items = new ArrayDeque<>();
    private int waiting; // guarded by lock
    private boolean unsignalled; // guarded by lock: items added by the reader since it last woke a consumer
    private final AtomicLong localMissed = new AtomicLong();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Runnable unsubscribe;
    private volatile long lastSeq;

    EventStream(long subscription, int capacity, Runnable unsubscribe) {
        this.subscription = subscription;
        this.capacity = capacity;
        this.unsubscribe = unsubscribe;
    }

    public long subscriptionId() {
        return subscription;
    }

    /** Waits for the next item. After {@link StreamItem.Ended}, returns it again at once. */
    public StreamItem next() throws InterruptedException {
        StreamItem i = pending();
        return i != null ? i : take(-1);
    }

    /** Waits up to {@code timeout} for the next item; null when none came. */
    public StreamItem poll(Duration timeout) throws InterruptedException {
        StreamItem i = pending();
        return i != null ? i : take(Math.max(0, timeout.toNanos()));
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
        lock.lock();
        try {
            return ended.get() && items.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private StreamItem pending() {
        long missed = localMissed.getAndSet(0);
        if (missed > 0) {
            return new StreamItem.Lagged(missed, lastSeq, true);
        }
        return null;
    }

    /** Takes the next item, waiting at most {@code nanos} (forever when negative). */
    private StreamItem take(long nanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (items.isEmpty()) {
                if (nanos == 0) {
                    return null;
                }
                waiting++;
                try {
                    if (nanos < 0) {
                        notEmpty.await();
                    } else {
                        nanos = Math.max(0, notEmpty.awaitNanos(nanos));
                    }
                } finally {
                    waiting--;
                }
            }
            StreamItem i = items.peekFirst();
            if (!(i instanceof StreamItem.Ended)) {
                items.pollFirst(); // the end stays, so later reads get it again
            }
            if (!items.isEmpty() && waiting > 0) {
                notEmpty.signal(); // another consumer may take the rest
            }
            return i;
        } finally {
            lock.unlock();
        }
    }

    /** Adds an item and wakes a waiting consumer at once. */
    void deliver(StreamItem item) {
        deliver(item, true);
    }

    /**
     * Adds an item. The reader passes {@code wake = false} for each item of a batch it read in one go
     * and calls {@link #flush} after the batch: one wake-up per batch instead of one per event.
     */
    void deliver(StreamItem item, boolean wake) {
        if (item instanceof StreamItem.Delivered d) {
            lastSeq = d.seq();
        }
        lock.lock();
        try {
            if (item instanceof StreamItem.Ended) {
                if (!ended.compareAndSet(false, true)) {
                    return;
                }
                while (items.size() >= capacity) {
                    items.pollFirst(); // make room: the end must always arrive
                    localMissed.incrementAndGet();
                }
                items.addLast(item);
                wake = true;
            } else if (ended.get()) {
                return;
            } else if (items.size() < capacity) {
                items.addLast(item);
            } else {
                localMissed.incrementAndGet();
            }
            if (wake) {
                unsignalled = false;
                if (waiting > 0) {
                    notEmpty.signal();
                }
            } else {
                unsignalled = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a consumer for items delivered without waking one. */
    void flush() {
        lock.lock();
        try {
            if (unsignalled) {
                unsignalled = false;
                if (waiting > 0) {
                    notEmpty.signal();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (!ended.get()) {
            unsubscribe.run();
        }
    }
}
