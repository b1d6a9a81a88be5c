package dev.cove.daemon.sessions;

import dev.cove.api.sessions.MetricBucket;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Folds metric points into equal time buckets with count, min, max, avg, sum and p95. Pure: the
 * daemon feeds it decoded chunks.
 *
 * <p>p95 is the nearest-rank percentile of the bucket's values, exact while a bucket holds at most
 * {@link Plan#samplesPerBucket} values; beyond that it is estimated from a uniform random sample
 * of that size (reservoir sampling), so memory stays bounded however many points a range holds.
 * Count, min, max, sum and avg are always exact.
 */
public final class MetricBuckets {
    /** The most buckets one query may ask for. */
    public static final int MAX_BUCKETS = 10_000;
    /** Buckets when neither an interval nor a count is given. */
    public static final int DEFAULT_BUCKETS = 60;
    private static final long SAMPLE_BUDGET = 4_000_000;

    /**
     * The buckets of a query: {@code count} buckets of {@code interval} ms from {@code start}.
     *
     * @param samplesPerBucket values kept per bucket for the p95
     */
    public record Plan(long start, long interval, int count, int samplesPerBucket) {
        public long end() {
            return start + interval * count;
        }
    }

    private MetricBuckets() {
    }

    /**
     * Plans buckets over {@code [from, to)} (epoch ms). With {@code interval} the buckets align to
     * multiples of it; else {@code buckets} (default 60) equal slices starting at {@code from}.
     *
     * @throws IllegalArgumentException when that makes more than {@link #MAX_BUCKETS} buckets
     */
    public static Plan plan(long from, long to, Long interval, Integer buckets) {
        if (to <= from) {
            to = from + 1;
        }
        long span = to - from;
        long start;
        long step;
        long count;
        if (interval != null) {
            step = interval;
            start = Math.floorDiv(from, step) * step;
            count = ceilDiv(to - start, step);
            if (count > MAX_BUCKETS) {
                throw new IllegalArgumentException("an interval of " + step + " ms makes " + count
                        + " buckets over that range; at most " + MAX_BUCKETS + " are allowed, so use an interval of at least "
                        + ceilDiv(to - start, MAX_BUCKETS) + " ms or a shorter range");
            }
        } else {
            int n = buckets == null ? DEFAULT_BUCKETS : buckets;
            step = Math.max(1, ceilDiv(span, n));
            start = from;
            count = ceilDiv(span, step);
        }
        int c = (int) Math.max(1, count);
        int samples = (int) Math.max(256, Math.min(100_000, SAMPLE_BUDGET / c));
        return new Plan(start, step, c, samples);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** Accumulates points into a plan's buckets. Not thread-safe. */
    public static final class Accumulator {
        private final Plan plan;
        private final long[] count;
        private final double[] min;
        private final double[] max;
        private final double[] sum;
        private final double[][] samples;
        private final int[] kept;
        private final SplittableRandom random = new SplittableRandom(0x5e55_10e5L);
        private long total;

        public Accumulator(Plan plan) {
            this.plan = plan;
            int n = plan.count();
            count = new long[n];
            min = new double[n];
            max = new double[n];
            sum = new double[n];
            samples = new double[n][];
            kept = new int[n];
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
        }

        public void add(long time, double value) {
            if (time < plan.start() || time >= plan.end()) {
                return;
            }
            int b = (int) ((time - plan.start()) / plan.interval());
            long c = ++count[b];
            total++;
            if (value < min[b]) {
                min[b] = value;
            }
            if (value > max[b]) {
                max[b] = value;
            }
            sum[b] += value;
            double[] s = samples[b];
            if (s == null) {
                s = samples[b] = new double[16];
            }
            int cap = plan.samplesPerBucket();
            if (kept[b] < cap) {
                if (kept[b] == s.length) {
                    s = samples[b] = Arrays.copyOf(s, Math.min(cap, s.length * 2));
                }
                s[kept[b]++] = value;
            } else {
                long r = random.nextLong(c); // reservoir sampling: every value stays with probability cap/c
                if (r < cap) {
                    s[(int) r] = value;
                }
            }
        }

        public void addAll(long[] times, double[] values) {
            for (int i = 0; i < times.length; i++) {
                add(times[i], values[i]);
            }
        }

        /** Points that fell in the plan's range. */
        public long total() {
            return total;
        }

        public List<MetricBucket> buckets() {
            List<MetricBucket> out = new ArrayList<>(plan.count());
            for (int b = 0; b < plan.count(); b++) {
                Instant start = Instant.ofEpochMilli(plan.start() + b * plan.interval());
                if (count[b] == 0) {
                    out.add(new MetricBucket(start, 0, null, null, null, null, null));
                    continue;
                }
                double[] s = Arrays.copyOf(samples[b], kept[b]);
                Arrays.sort(s);
                double p95 = s[(int) Math.ceil(0.95 * s.length) - 1];
                out.add(new MetricBucket(start, count[b], min[b], max[b], sum[b] / count[b], p95, sum[b]));
            }
            return out;
        }
    }
}
