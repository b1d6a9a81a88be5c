package dev.cove.examples.hello;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** The input of {@code query:hello.greet.v1}; it names its method and its result type. */
@Method("query:hello.greet.v1")
public record Greet(String name) implements Request<Greeting> {
    public Greet {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be empty");
        }
    }
}
