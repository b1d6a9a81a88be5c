package dev.cove.daemon.sessions;

import dev.cove.api.sessions.MetricBucket;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricBucketsTest {
    @Test
    void intervalBucketsAlignToMultiplesOfTheInterval() {
        MetricBuckets.Plan p = MetricBuckets.plan(1_005, 3_500, 1_000L, null);
        assertEquals(1_000, p.start());
        assertEquals(1_000, p.interval());
        assertEquals(3, p.count());
        assertEquals(4_000, p.end());
    }

    @Test
    void bucketCountSlicesTheRangeFromItsStart() {
        MetricBuckets.Plan p = MetricBuckets.plan(100, 1_100, null, 10);
        assertEquals(100, p.start());
        assertEquals(100, p.interval());
        assertEquals(10, p.count());
        MetricBuckets.Plan d = MetricBuckets.plan(0, 600, null, null);
        assertEquals(MetricBuckets.DEFAULT_BUCKETS, d.count());
        MetricBuckets.Plan one = MetricBuckets.plan(500, 500, null, 60);
        assertEquals(1, one.count(), "a single instant still makes one bucket");
    }

    @Test
    void tooManyBucketsIsRefusedWithAUsableInterval() {
        var e = assertThrows(IllegalArgumentException.class, () -> MetricBuckets.plan(0, 100_000_000, 1L, null));
        assertTrue(e.getMessage().contains("at least 10000 ms"), e.getMessage());
    }

    @Test
    void statisticsPerBucket() {
        MetricBuckets.Plan p = MetricBuckets.plan(0, 2_000, 1_000L, null);
        MetricBuckets.Accumulator acc = new MetricBuckets.Accumulator(p);
        for (int i = 1; i <= 100; i++) {
            acc.add(i, i); // bucket 0: values 1..100
        }
        acc.add(5_000, 1); // outside the plan: ignored
        List<MetricBucket> b = acc.buckets();
        assertEquals(2, b.size());
        assertEquals(100, b.get(0).count());
        assertEquals(1.0, b.get(0).min());
        assertEquals(100.0, b.get(0).max());
        assertEquals(50.5, b.get(0).avg());
        assertEquals(5050.0, b.get(0).sum());
        assertEquals(95.0, b.get(0).p95(), "nearest rank: the 95th of 100 sorted values");
        assertEquals(0, b.get(1).count());
        assertNull(b.get(1).p95());
        assertEquals(100, acc.total());
    }

    @Test
    void p95StaysCloseWhenABucketOverflowsItsSample() {
        MetricBuckets.Plan p = new MetricBuckets.Plan(0, 1_000_000, 1, 1_000);
        MetricBuckets.Accumulator acc = new MetricBuckets.Accumulator(p);
        for (int i = 0; i < 200_000; i++) {
            acc.add(i, i % 1000); // uniform 0..999: p95 is about 949
        }
        MetricBucket b = acc.buckets().get(0);
        assertEquals(200_000, b.count());
        assertEquals(0.0, b.min());
        assertEquals(999.0, b.max());
        assertTrue(Math.abs(b.p95() - 949) < 30, "estimated p95 " + b.p95());
    }

    @Test
    void chunksRoundTrip() {
        long[] t = {1_700_000_000_000L, 1_700_000_000_000L, 1_700_000_000_001L, 1_699_999_999_000L};
        double[] v = {1.5, -2, Double.MAX_VALUE, 0};
        MetricChunk.Points p = MetricChunk.decode(MetricChunk.encode(t, v));
        assertArrayEquals(t, p.times());
        assertArrayEquals(v, p.values());
        int n = 10_000;
        long[] bt = new long[n];
        double[] bv = new double[n];
        for (int i = 0; i < n; i++) {
            bt[i] = 1_700_000_000_000L + i / 10;
            bv[i] = 59.8;
        }
        byte[] blob = MetricChunk.encode(bt, bv);
        assertTrue(blob.length < n * 2, "regular points compress well: " + blob.length + " bytes for " + n);
        MetricChunk.Points q = MetricChunk.decode(blob);
        assertArrayEquals(bt, q.times());
        assertArrayEquals(bv, q.values());
    }
}
