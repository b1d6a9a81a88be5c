package dev.cove.tests.support.plugin;

public record BurstDone(int published, long millis) {
}
