package dev.cove.graphql;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Events a subscription lost because it fell behind (the daemon's or this server's buffer overflowed).
 * The event publisher adds to it; the WebSocket side reports and resets it with the next event, as
 * {@code extensions.lagged}, since a GraphQL event type has no place for it.
 */
final class LagCounter {
    private final AtomicLong missed = new AtomicLong();

    void add(long n) {
        missed.addAndGet(n);
    }

    long take() {
        return missed.getAndSet(0);
    }
}
