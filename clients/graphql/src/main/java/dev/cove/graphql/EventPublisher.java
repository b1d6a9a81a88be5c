package dev.cove.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * A daemon subscription as the reactive-streams {@link Publisher} graphql-java wants from a
 * subscription field. One subscriber only (graphql-java subscribes once). A virtual thread moves
 * items from the {@link EventStream} (a bounded in-memory queue, so no socket I/O blocks it) to the
 * subscriber as demand allows. Cancelling closes the stream, which unsubscribes at the daemon.
 *
 * <p>The stream's end becomes {@code onComplete} only when this side unsubscribed; any other end (the
 * daemon stopped, the connection broke) is an {@code onError}, so a client learns that its
 * subscription died rather than waiting forever.
 */
final class EventPublisher implements Publisher<Object> {
    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final EventStream stream;
    private final String label;
    private final LagCounter lag;
    private final BiFunction<String, JsonNode, Object> convert;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    EventPublisher(EventStream stream, String label, LagCounter lag, BiFunction<String, JsonNode, Object> convert) {
        this.stream = stream;
        this.label = label;
        this.lag = lag;
        this.convert = convert;
    }

    @Override
    public void subscribe(Subscriber<? super Object> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Subscription() {
                public void request(long n) {
                }

                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("this event publisher allows one subscriber"));
            return;
        }
        new Pump(subscriber).start();
    }

    private final class Pump implements Subscription {
        private final Subscriber<? super Object> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition more = lock.newCondition();
        private volatile boolean cancelled;
        private Thread thread;

        Pump(Subscriber<? super Object> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            subscriber.onSubscribe(this);
            thread = Thread.ofVirtual().name("events-" + label).start(this::run);
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriber.onError(new IllegalArgumentException("reactive-streams §3.9: request must be positive"));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            lock.lock();
            try {
                more.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                stream.close();
                if (thread != null) {
                    thread.interrupt();
                }
            }
        }

        private void run() {
            try {
                while (!cancelled) {
                    awaitDemand();
                    StreamItem item = stream.next();
                    if (cancelled) {
                        return;
                    }
                    switch (item) {
                        case StreamItem.Delivered d -> {
                            demand.decrementAndGet();
                            subscriber.onNext(convert.apply(d.type(), (JsonNode) d.event()));
                        }
                        case StreamItem.Lagged l -> {
                            log.debug("subscription {} lost {} events (local buffer: {})", label, l.missed(), l.local());
                            lag.add(l.missed());
                        }
                        case StreamItem.Ended e -> {
                            if ("unsubscribed".equals(e.reason())) {
                                subscriber.onComplete();
                            } else {
                                subscriber.onError(ended(e.reason()));
                            }
                            return;
                        }
                    }
                }
            } catch (InterruptedException e) {
                // cancelled
            } catch (RuntimeException e) {
                log.warn("event subscription {} failed", label, e);
                stream.close();
                subscriber.onError(e);
            }
        }

        private void awaitDemand() throws InterruptedException {
            lock.lock();
            try {
                while (demand.get() == 0 && !cancelled) {
                    more.await();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Why a subscription ended, as an error with a code a client can act on. */
    static RpcException ended(String reason) {
        if ("shutdown".equals(reason)) {
            return new RpcException(ErrorCode.SHUTTING_DOWN,
                    "the Cove daemon stopped, which ended this subscription; subscribe again once it is back");
        }
        return new RpcException(ErrorCode.CONNECTION_LOST, "the connection to the Cove daemon was lost (" + reason
                + "), which ended this subscription; subscribe again once it is back");
    }
}
