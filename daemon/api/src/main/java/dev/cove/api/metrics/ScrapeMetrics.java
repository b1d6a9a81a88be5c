package dev.cove.api.metrics;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/**
 * The daemon's health and its sessions' metrics in the Prometheus text exposition format (0.0.4), as a
 * scraper, {@code cove metrics} and node_exporter's textfile collector read it.
 */
@Method("query:metrics.scrape.v1")
public record ScrapeMetrics() implements Request<MetricsExposition> {
}
