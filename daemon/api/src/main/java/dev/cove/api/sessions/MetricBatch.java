package dev.cove.api.sessions;

import dev.cove.rpc.Nullable;

import java.util.Map;

/**
 * Many points of one series in columns: what the client library sends, about 12 bytes a point with
 * Kryo. {@code times[i]} (epoch milliseconds) goes with {@code values[i]}.
 */
public record MetricBatch(String name, @Nullable MetricKind kind, @Nullable String unit,
                          @Nullable Map<String, String> tags, long[] times, double[] values) {
    public MetricBatch {
        name = Checks.name("metric name", name);
        unit = Checks.optional("metric unit", unit);
        tags = Checks.tags("metric '" + name + "' tag", tags);
        if (times == null || values == null) {
            throw new IllegalArgumentException("metric batch '" + name + "' needs both times and values");
        }
        if (times.length != values.length) {
            throw new IllegalArgumentException("metric batch '" + name + "' has " + times.length + " times but "
                    + values.length + " values; they go in pairs");
        }
        for (int i = 0; i < times.length; i++) {
            Checks.timeMillis("metric '" + name + "' times[" + i + "]", times[i]);
            Checks.finite(name, values[i]);
        }
    }

    public int size() {
        return times.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricBatch b && name.equals(b.name) && kind == b.kind
                && java.util.Objects.equals(unit, b.unit) && tags.equals(b.tags)
                && java.util.Arrays.equals(times, b.times) && java.util.Arrays.equals(values, b.values);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, kind, unit, tags, java.util.Arrays.hashCode(times),
                java.util.Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "MetricBatch[" + name + ", " + kind + ", " + unit + ", " + tags + ", " + times.length + " points]";
    }
}
