package dev.cove.tests.support.plugin;

public record Slept(long millis) {
}
