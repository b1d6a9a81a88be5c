package dev.cove.api.sessions;

/**
 * @param duplicate    true when this batch number was applied before; nothing was applied now
 * @param recovered    true when the report's heartbeat ended a hang
 * @param stateChanged whether the state patch changed the state
 * @param events       events stored
 * @param points       metric points stored
 */
public record ReportResult(boolean duplicate, SessionStatus status, boolean recovered, boolean stateChanged,
                           long stateVersion, int events, long points) {
}
