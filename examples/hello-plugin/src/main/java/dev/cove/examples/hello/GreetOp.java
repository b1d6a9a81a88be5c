package dev.cove.examples.hello;

import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;
import dev.cove.rpc.instance.InstancePaths;

/**
 * The handler. The daemon finds it by its annotation and builds it once, passing what its
 * constructor asks for (here the instance's paths).
 */
@Query("hello.greet")
public final class GreetOp implements Handler<Greet, Greeting> {
    private final InstancePaths paths;

    public GreetOp(InstancePaths paths) {
        this.paths = paths;
    }

    @Override
    public Greeting handle(Greet input, CallContext context) {
        return new Greeting("Hello, " + input.name() + "!", paths.instance());
    }
}
