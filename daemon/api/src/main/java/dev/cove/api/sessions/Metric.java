package dev.cove.api.sessions;

import dev.cove.rpc.Nullable;

import java.time.Instant;
import java.util.Map;

/**
 * One metric point. A series is identified by name, kind, unit and tags.
 *
 * @param kind defaults to GAUGE
 * @param time defaults to when the daemon receives it
 */
public record Metric(String name, Double value, @Nullable MetricKind kind, @Nullable String unit,
                     @Nullable Map<String, String> tags, @Nullable Instant time) {
    public Metric {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a metric needs a name (got " + (name == null ? "none" : "a blank one")
                    + (value == null ? "" : " for the value " + value) + ")");
        }
        name = Checks.name("metric name", name);
        value = Checks.value(name, value);
        unit = Checks.optional("metric unit", unit);
        tags = Checks.tags("metric '" + name + "' tag", tags);
        time = Checks.time("metric '" + name + "' time", time);
    }

    public Metric(String name, double value) {
        this(name, value, null, null, null, null);
    }
}
