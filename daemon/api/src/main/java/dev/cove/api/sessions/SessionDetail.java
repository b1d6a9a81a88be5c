package dev.cove.api.sessions;

import dev.cove.api.events.SessionEvent;

import java.util.List;
import java.util.Map;

/**
 * @param events  the most recent events, oldest first
 * @param metrics every metric series of the session, with totals; {@code metrics.query} buckets one
 */
public record SessionDetail(SessionInfo session, Map<String, Object> state, List<SessionEvent> events,
                            List<MetricSeriesInfo> metrics) {
}
