package dev.cove.desktop;

import javafx.application.Platform;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Hands items from any thread to the FX thread in batches: one {@code runLater} per burst rather than per
 * item, so a storm of job updates or log lines costs the UI one pass. Bounded: past {@code capacity}
 * items waiting, new ones are counted as dropped instead of growing the heap while the UI is busy.
 */
final class FxQueue<T> {
    private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final int capacity;
    private final Sink<T> sink;

    /** Receives a batch on the FX thread, and how many items were dropped before it. */
    interface Sink<T> {
        void accept(List<T> batch, int dropped);
    }

    FxQueue(int capacity, Sink<T> sink) {
        this.capacity = capacity;
        this.sink = sink;
    }

    static <T> FxQueue<T> of(int capacity, Consumer<List<T>> sink) {
        return new FxQueue<>(capacity, (batch, dropped) -> sink.accept(batch));
    }

    void add(T item) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.incrementAndGet();
        } else {
            items.add(item);
        }
        if (scheduled.compareAndSet(false, true)) {
            Platform.runLater(this::drain);
        }
    }

    private void drain() {
        scheduled.set(false);
        List<T> batch = new ArrayList<>();
        T t;
        while ((t = items.poll()) != null) {
            size.decrementAndGet();
            batch.add(t);
        }
        int d = dropped.getAndSet(0);
        if (!batch.isEmpty() || d > 0) {
            sink.accept(batch, d);
        }
    }
}
