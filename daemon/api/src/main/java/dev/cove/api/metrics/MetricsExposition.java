package dev.cove.api.metrics;

/**
 * One scrape.
 *
 * @param contentType the HTTP content type of {@code text} ({@code text/plain; version=0.0.4; charset=utf-8})
 * @param text        the exposition, ready to serve or to write to a {@code .prom} file
 */
public record MetricsExposition(String contentType, String text) {
}
