package dev.cove.tests.support.plugin;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Returns its input with the daemon's identity; a negative {@code n} is refused by the record itself. */
@Method("query:test.echo.v1")
public record Echo(String text, int n) implements Request<Echoed> {
    public Echo {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, got " + n);
        }
    }
}
