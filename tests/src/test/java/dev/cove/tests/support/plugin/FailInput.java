package dev.cove.tests.support.plugin;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Input of the test plugin's {@code action:test.fail.input.v1}, whose handler always throws. */
@Method("action:test.fail.input.v1")
public record FailInput(String message) implements Request<FailResult> {
}
