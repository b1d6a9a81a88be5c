package dev.cove.api.sessions;

import dev.cove.rpc.Nullable;

import java.time.Instant;
import java.util.Map;

/** One metric series (name, kind, unit, tags) of a session, with totals over all its points. */
public record MetricSeriesInfo(String name, MetricKind kind, @Nullable String unit, Map<String, String> tags,
                               long count, Instant first, Instant last, double lastValue, double min, double max,
                               double avg, double sum) {
}
