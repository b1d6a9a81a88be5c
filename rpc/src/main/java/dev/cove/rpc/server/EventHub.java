package dev.cove.rpc.server;

import dev.cove.rpc.Event;
import dev.cove.rpc.EventTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The daemon's event bus. {@link #publish} matches an event against every subscription and queues
 * it for the ones that want it; it never waits for a subscriber.
 */
public final class EventHub {
    private static final Logger log = LoggerFactory.getLogger(EventHub.class);
    private final EventTypes types;
    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder lagged = new LongAdder();

    public EventHub(EventTypes types) {
        this.types = types;
    }

    public EventTypes types() {
        return types;
    }

    public void publish(Event event) {
        if (subscriptions.isEmpty()) {
            return;
        }
        String name = EventTypes.nameOf(event.getClass());
        PublishedEvent pe = null;
        for (Subscription s : subscriptions) {
            if (!s.wants(name)) {
                continue;
            }
            boolean matches;
            try {
                matches = event.matches(s.filter);
            } catch (RuntimeException e) {
                log.debug("filter of subscription {} failed on {}: {}", s.id, name, e.toString());
                matches = false;
            }
            if (matches) {
                if (pe == null) {
                    pe = new PublishedEvent(name, event, types.payloads(name));
                }
                if (!s.offer(pe)) {
                    lagged.increment();
                }
            }
        }
    }

    /** Whether any subscriber wants events of this type; lets publishers skip building events. */
    public boolean hasSubscribers(String type) {
        for (Subscription s : subscriptions) {
            if (s.wants(type)) {
                return true;
            }
        }
        return false;
    }

    /** Current subscriptions, for publishers that adapt to what is wanted (e.g. log levels). */
    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions);
    }

    /** Runs {@code r} whenever a subscription is added or removed. */
    public void onChange(Runnable r) {
        listeners.add(r);
    }

    void add(Subscription s) {
        subscriptions.add(s);
        s.start();
        listeners.forEach(Runnable::run);
    }

    void remove(Subscription s) {
        if (subscriptions.remove(s)) {
            listeners.forEach(Runnable::run);
        }
    }

    public int size() {
        return subscriptions.size();
    }

    /** Events dropped for subscribers whose queue was full (each one reported to its subscriber as lagged). */
    public long laggedEvents() {
        return lagged.sum();
    }

    /** Events waiting in all subscribers' queues now. */
    public long queuedEvents() {
        long n = 0;
        for (Subscription s : subscriptions) {
            n += s.queued();
        }
        return n;
    }
}
