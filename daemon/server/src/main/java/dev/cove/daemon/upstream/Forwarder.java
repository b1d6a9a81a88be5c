package dev.cove.daemon.upstream;

import dev.cove.api.events.SessionEvent;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.daemon.sessions.SessionFeed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Forwards what {@code sessions.db} holds behind the stored cursor, batch by batch, and moves the
 * cursor only after the upstream acknowledged a batch. So:
 * <ul>
 *   <li>a restart, an outage or a {@code kill -9} loses nothing that was acknowledged to an
 *   application: it is in sessions.db, past the cursor, and goes out when the upstream answers;</li>
 *   <li>what the upstream acknowledged is not sent again, except a batch acknowledged in the instant
 *   between the upstream's answer and the cursor's commit (a kill there resends that one batch);</li>
 *   <li>the backlog is bounded by records, bytes and age; what falls past the bound is dropped oldest
 *   first, counted in sessions.db, logged and shown in {@code upstream.status}.</li>
 * </ul>
 * Logs (events, state changes) go before metrics in each round, and a crash, hang or recovery wakes the
 * forwarder at once instead of at the next interval, also out of a back-off.
 */
final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    /** Events that go out at once, not at the next interval. */
    private static final Set<String> URGENT = Set.of(SessionEvent.PARENT_PROCESS_CRASHED,
            SessionEvent.APPLICATION_APPEARS_HUNG, SessionEvent.APPLICATION_RECOVERED, SessionEvent.SESSION_ENDED,
            SessionEvent.SESSION_REGISTERED);
    private static final long ENFORCE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final UpstreamConfig config;
    private final SessionFeed feed;
    private final Supplier<UpstreamSink> sinkFactory;
    private UpstreamSink sink; // made on the forwarder's thread at its first send; read by close() after join
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean wake; // guarded by lock
    private volatile boolean closed;

    private volatile String state = UpstreamStatus.IDLE;
    private volatile long sentPoints;
    private volatile long sentLogRecords;
    private volatile long requests;
    private volatile long failedRequests;
    private volatile Instant lastSuccess;
    private volatile Instant lastAttempt;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private int failures;
    private long nextEnforce;

    /**
     * {@code sinkFactory} is called on the forwarder's own thread when there is first something to send: the
     * OpenTelemetry SDK's exporters cost ~150 ms of class loading, which would otherwise delay the daemon's
     * readiness (measured: ready in ~280 ms without forwarding, ~420 ms with the exporters made at start).
     */
    Forwarder(UpstreamConfig config, SessionFeed feed, Supplier<UpstreamSink> sinkFactory) {
        this.config = config;
        this.feed = feed;
        this.sinkFactory = sinkFactory;
        this.thread = Thread.ofPlatform().daemon().name("upstream-forwarder").unstarted(this::loop);
    }

    Forwarder start() {
        thread.start();
        return this;
    }

    /** A session event was committed: urgent ones are sent now. */
    void committed(SessionEvent e) {
        if (URGENT.contains(e.name())) {
            wake();
        }
    }

    void wake() {
        lock.lock();
        try {
            wake = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        log.info("upstream: forwarding sessions to {} (metrics {}, logs {})", config.endpoint(),
                config.metricsEndpoint(), config.logsEndpoint());
        while (!closed) {
            boolean more;
            try {
                more = round();
                if (failures > 0) {
                    log.info("upstream: {} answers again after {} failed attempts", config.endpoint(), failures);
                }
                failures = 0;
                state = more ? UpstreamStatus.SENDING : UpstreamStatus.IDLE;
            } catch (UpstreamSink.SendException | RuntimeException e) {
                if (closed) {
                    break;
                }
                failed(e);
                more = false;
            }
            if (!more) {
                pause(failures == 0 ? config.interval().toMillis()
                        : Math.min(config.retryMax().toMillis(), 250L << Math.min(failures - 1, 10)));
            }
        }
    }

    /** One batch of logs and one of metrics; true when more may wait. */
    private boolean round() throws UpstreamSink.SendException {
        if (System.nanoTime() - nextEnforce >= 0) {
            nextEnforce = System.nanoTime() + ENFORCE_EVERY_NANOS;
            enforce();
        }
        SessionFeed.Cursor cur = feed.cursor();
        boolean more = false;
        List<SessionFeed.EventRecord> events = feed.eventsAfter(cur.events(), config.batchLogRecords());
        List<SessionFeed.StateRecord> states = feed.statesAfter(cur.states(), config.batchLogRecords());
        if (!events.isEmpty() || !states.isEmpty()) {
            attempt();
            sink().sendLogs(events, states, feed::session);
            feed.ackLogs(events.isEmpty() ? cur.events() : events.get(events.size() - 1).id(),
                    states.isEmpty() ? cur.states() : states.get(states.size() - 1).id());
            sentLogRecords += events.size() + states.size();
            lastSuccess = Instant.now();
            more = events.size() == config.batchLogRecords() || states.size() == config.batchLogRecords();
        }
        List<SessionFeed.ChunkRecord> chunks = feed.chunksAfter(cur.chunks(), 10_000, config.batchPoints());
        if (!chunks.isEmpty()) {
            attempt();
            sink().sendMetrics(chunks, feed::session);
            feed.ackChunks(chunks.get(chunks.size() - 1).id());
            long points = 0;
            for (SessionFeed.ChunkRecord c : chunks) {
                points += c.times().length;
            }
            sentPoints += points;
            lastSuccess = Instant.now();
            more = true; // a full or partial batch: look again at once, the next round finds out
        }
        return more;
    }

    private void attempt() {
        if (failures == 0) {
            state = UpstreamStatus.SENDING; // after failures it stays "failing" until one succeeds
        }
        lastAttempt = Instant.now();
        requests++;
    }

    private void enforce() {
        long cutoff = System.currentTimeMillis() - config.maxAge().toMillis();
        SessionFeed.Dropped d = feed.enforce(config.maxRecords(), config.maxBytes(), cutoff);
        if (d.total() > 0) {
            log.warn("upstream: the backlog went past its bound ({} records, {} bytes, {} old): dropped the {} oldest "
                            + "records ({} metric points, {} events, {} state changes); {} dropped since forwarding began",
                    config.maxRecords(), config.maxBytes(), config.maxAge(), d.total(), d.points(), d.events(),
                    d.states(), feed.cursor().dropped());
        }
    }

    private void failed(Exception e) {
        failures++;
        failedRequests++;
        state = UpstreamStatus.FAILING;
        lastError = e instanceof UpstreamSink.SendException ? e.getMessage() : "forwarding failed: " + e;
        lastErrorAt = Instant.now();
        // the first failure and then every 20th: an outage of hours must not fill the log
        if (failures == 1 || failures % 20 == 0) {
            log.warn("upstream: {} (attempt {}; retrying with back-off up to {} s; nothing is lost, the backlog "
                    + "waits in sessions.db)", lastError, failures, config.retryMax().toSeconds());
        }
    }

    private void pause(long millis) {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!wake && !closed && nanos > 0) {
                nanos = woken.awaitNanos(nanos);
            }
            wake = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    UpstreamStatus status() {
        SessionFeed.Backlog b = feed.backlog();
        SessionFeed.Cursor cur = feed.cursor();
        Long age = b.oldestMs() == null ? null : Math.max(0, System.currentTimeMillis() - b.oldestMs());
        return new UpstreamStatus(state, config.endpoint(), "http/protobuf", config.resource().get("host.id"),
                config.resource().get("host.name"), b.records(), b.bytes(), age, config.maxRecords(),
                config.maxBytes(), config.maxAge().toMillis(), sentPoints, sentLogRecords, requests, failedRequests,
                cur.dropped(), cur.droppedPoints(), cur.droppedEvents(), cur.droppedStates(), lastSuccess, lastAttempt,
                lastError, lastErrorAt);
    }

    private UpstreamSink sink() {
        if (sink == null) {
            sink = sinkFactory.get();
        }
        return sink;
    }

    /** Stops after the batch in flight (if any); what was not acknowledged goes out after the next start. */
    @Override
    public void close() {
        closed = true;
        wake();
        try {
            thread.join(config.timeout().toMillis() + 6_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sink != null) {
            sink.close();
        }
    }
}
