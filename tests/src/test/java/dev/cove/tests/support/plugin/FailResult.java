package dev.cove.tests.support.plugin;

/** Never returned: the handler of {@link FailInput} throws. */
public record FailResult(String message) {
}
