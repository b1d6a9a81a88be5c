package dev.cove.api.sessions;

/** @param points how many points were stored */
public record MetricsLogged(long points) {
}
