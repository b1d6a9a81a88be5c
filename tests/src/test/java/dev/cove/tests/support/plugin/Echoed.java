package dev.cove.tests.support.plugin;

public record Echoed(String text, int n, String instance, long pid) {
}
