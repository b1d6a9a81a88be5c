package dev.cove.tests.support.plugin;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Logs "{tag} debug", "{tag} info" and "{tag} warn" through SLF4J at those levels. */
@Method("action:test.log.input.v1")
public record LogLines(String tag) implements Request<LogLinesDone> {
}
