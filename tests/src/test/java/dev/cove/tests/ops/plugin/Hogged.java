package dev.cove.tests.ops.plugin;

/** What the daemon now retains on purpose, and its heap after the collection. */
public record Hogged(long retainedBytes, long heapUsedBytes, long heapMaxBytes) {
}
