package dev.cove.daemon.ops.metrics;

import dev.cove.api.metrics.MetricsExposition;
import dev.cove.api.metrics.ScrapeMetrics;
import dev.cove.daemon.metrics.DaemonMetrics;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;

/** The Prometheus exposition: what {@code cove metrics} prints and the GraphQL server's {@code /metrics} serves. */
@Query("metrics.scrape")
public final class ScrapeMetricsOp implements Handler<ScrapeMetrics, MetricsExposition> {
    private final DaemonMetrics metrics;

    public ScrapeMetricsOp(DaemonMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public MetricsExposition handle(ScrapeMetrics input, CallContext context) {
        return new MetricsExposition(DaemonMetrics.CONTENT_TYPE, metrics.scrape());
    }
}
