package dev.cove.api.upstream;

import dev.cove.rpc.Nullable;

import java.time.Instant;

/**
 * Forwarding of sessions to an OTLP endpoint, as the daemon sees it now.
 *
 * @param state            {@code off} (no endpoint configured), {@code idle} (caught up), {@code sending},
 *                         {@code failing} (the last attempt failed; it retries with back-off)
 * @param endpoint         the base endpoint ({@code OTEL_EXPORTER_OTLP_ENDPOINT}), null when off
 * @param backlogRecords   records stored but not yet acknowledged upstream: metric points, events, state changes
 * @param backlogBytes     their stored size
 * @param oldestAgeMillis  age of the oldest waiting record, null when nothing waits
 * @param droppedRecords   records dropped past the backlog bound since forwarding began (kept in sessions.db)
 * @param lastError        the last failure with its cause, null when none since start
 */
public record UpstreamStatus(String state, @Nullable String endpoint, @Nullable String protocol,
                             @Nullable String hostId, @Nullable String hostName,
                             long backlogRecords, long backlogBytes, @Nullable Long oldestAgeMillis,
                             long maxRecords, long maxBytes, long maxAgeMillis,
                             long sentPoints, long sentLogRecords, long requests, long failedRequests,
                             long droppedRecords, long droppedPoints, long droppedEvents, long droppedStates,
                             @Nullable Instant lastSuccess, @Nullable Instant lastAttempt,
                             @Nullable String lastError, @Nullable Instant lastErrorAt) {
    public static final String OFF = "off";
    public static final String IDLE = "idle";
    public static final String SENDING = "sending";
    public static final String FAILING = "failing";
}
