package dev.cove.api.sessions;

/**
 * What a metric's values mean. The kind changes nothing in how points are stored; it tells readers
 * (and {@code metrics.query}) how to read them.
 */
public enum MetricKind {
    /** A level sampled now and then: fps, memory in use, queue length. */
    GAUGE,
    /** An increment: each point adds its value (requests served, bytes written). Read the bucket's sum. */
    COUNTER,
    /** A distribution of observed values (payload sizes); read count, percentiles and average. */
    HISTOGRAM,
    /** A duration, normally in milliseconds (frame time, request latency). */
    TIMER
}
