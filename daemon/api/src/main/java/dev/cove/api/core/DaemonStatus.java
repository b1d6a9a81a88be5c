package dev.cove.api.core;

import java.time.Instant;

import java.util.Map;

/**
 * @param rssBytes resident memory of the daemon process, or -1 where the OS does not say
 * @param settings the daemon's settings by option name without dashes ({@code idle-timeout} → {@code 10m}), in the
 *                 syntax {@code cove start} and {@code cove daemon} take them
 */
public record DaemonStatus(String instance, String version, int protocol, long pid, Instant startedAt,
                           long uptimeMillis, String socket, String dataDir, String instanceDataDir,
                           String logFile, int clients, int methods, int subscriptions, long heapUsedBytes,
                           long heapMaxBytes, long rssBytes, int threads, String javaVersion, boolean privateInstance,
                           long parentPid, Map<String, String> settings) {
}
