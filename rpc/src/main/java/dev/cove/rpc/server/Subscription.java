package dev.cove.rpc.server;

import dev.cove.rpc.Encoding;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.wire.FrameBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One subscriber's bounded queue and the virtual thread that drains it onto the connection.
 *
 * <p>Every matched event takes the next sequence number, delivered or not. When the queue is full
 * the event is dropped, and the gap in sequence numbers is reported as a {@code lagged} frame before
 * the next event (or as soon as the queue drains), so a slow reader learns exactly how many it
 * missed while publishers never wait for it.
 */
public final class Subscription {
    private static final Logger log = LoggerFactory.getLogger(Subscription.class);
    private static final int MAX_BATCH = 256;
    /**
     * When the pump wakes to fewer events than this, it lingers up to {@link #LINGER_NANOS} for more,
     * so a stream of events costs one wake-up and one write per burst rather than one per event (the
     * wake-ups, not the bytes, are what limit fan-out). An isolated event is delayed by the linger.
     */
    private static final int COALESCE = 32;
    private static final long LINGER_NANOS = 100_000;

    /** Writes whole frames to the subscriber's connection. */
    interface Sink {
        void write(byte[] frames) throws IOException;
    }

    private record Item(long seq, PublishedEvent event) {
    }

    final long id;
    final Set<String> types;
    final EventFilter filter;
    final Encoding encoding;
    private final int capacity;
    private final Sink sink;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private long nextSeq = 1;
    private long lastSent;
    private String endReason;
    private boolean discardOnEnd;
    private volatile boolean finished;
    private boolean pumpWaiting; // guarded by lock: the pump waits for a first event
    private boolean pumpLingering; // guarded by lock: the pump waits for more events
    private final byte[] framePrefix;
    private volatile Thread pump; // read by a stopping server on another thread

    Subscription(long id, Set<String> types, EventFilter filter, Encoding encoding, int capacity, Sink sink) {
        this.id = id;
        this.types = types;
        this.filter = filter;
        this.encoding = encoding;
        this.capacity = capacity;
        this.sink = sink;
        this.framePrefix = ("{\"type\":\"event\",\"sub\":" + id + ",\"seq\":")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    public long id() {
        return id;
    }

    /** The event types wanted; empty means all. */
    public Set<String> types() {
        return types;
    }

    public EventFilter filter() {
        return filter;
    }

    void start() {
        pump = Thread.ofVirtual().name("subscription-" + id).start(this::pumpLoop);
    }

    boolean wants(String type) {
        return types.isEmpty() || types.contains(type);
    }

    /**
     * Never blocks for long: a full queue drops the event and leaves a gap in the sequence.
     *
     * @return false when the event was dropped because the queue was full
     */
    boolean offer(PublishedEvent e) {
        lock.lock();
        try {
            if (endReason != null) {
                return true;
            }
            long seq = nextSeq++;
            boolean queued = queue.size() < capacity;
            if (queued) {
                queue.add(new Item(seq, e));
            }
            if (pumpWaiting || pumpLingering && queue.size() >= COALESCE) {
                changed.signal();
            }
            return queued;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the subscription: the pump writes an {@code end} frame with the reason and stops.
     * With {@code discard} the queued events are dropped first (unsubscribe); without, they are
     * delivered first (daemon shutdown).
     */
    void end(String reason, boolean discard) {
        lock.lock();
        try {
            if (endReason == null) {
                endReason = reason;
                discardOnEnd = discard;
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    boolean awaitFinished(long millis) throws InterruptedException {
        Thread t = pump;
        if (t != null) {
            t.join(millis);
        }
        return finished;
    }

    long queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void pumpLoop() {
        ByteArrayOutputStream batch = new ByteArrayOutputStream(4096);
        try {
            while (true) {
                String reason = null;
                Item[] items;
                long gapTo = -1;
                lock.lock();
                try {
                    while (queue.isEmpty() && nextSeq - 1 == lastSent && endReason == null) {
                        pumpWaiting = true;
                        try {
                            changed.await();
                        } finally {
                            pumpWaiting = false;
                        }
                    }
                    long linger = LINGER_NANOS;
                    while (endReason == null && !queue.isEmpty() && queue.size() < COALESCE && linger > 0) {
                        pumpLingering = true;
                        try {
                            linger = changed.awaitNanos(linger);
                        } finally {
                            pumpLingering = false;
                        }
                    }
                    if (endReason != null && (discardOnEnd || queue.isEmpty())) {
                        reason = endReason;
                        queue.clear();
                    }
                    int n = Math.min(queue.size(), MAX_BATCH);
                    items = new Item[n];
                    for (int i = 0; i < n; i++) {
                        items[i] = queue.poll();
                    }
                    if (n == 0 && reason == null && nextSeq - 1 > lastSent) {
                        gapTo = nextSeq - 1;
                    }
                } finally {
                    lock.unlock();
                }
                batch.reset();
                for (Item it : items) {
                    if (it.seq() > lastSent + 1) {
                        batch.write(lagged(it.seq() - lastSent - 1));
                    }
                    batch.write(framePrefix);
                    writeDecimal(batch, it.seq());
                    batch.write(it.event().frameTail(encoding));
                    lastSent = it.seq();
                }
                if (gapTo > lastSent) {
                    batch.write(lagged(gapTo - lastSent));
                    lastSent = gapTo;
                }
                if (reason != null) {
                    batch.write(FrameBuilder.of("end").field("sub", id).field("reason", reason)
                            .field("lastSeq", lastSent).build());
                }
                if (batch.size() > 0) {
                    sink.write(batch.toByteArray());
                }
                if (reason != null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("subscription {} stopped: {}", id, e.toString());
        } catch (RuntimeException e) {
            log.warn("subscription {} failed", id, e);
        } finally {
            finished = true;
        }
    }

    private static void writeDecimal(ByteArrayOutputStream out, long v) {
        if (v < 10) {
            out.write('0' + (int) v);
            return;
        }
        byte[] digits = Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(digits, 0, digits.length);
    }

    private byte[] lagged(long missed) {
        return FrameBuilder.of("lagged").field("sub", id).field("missed", missed).field("seq", lastSent + missed)
                .build();
    }
}
