package dev.cove.rpc.host.needs;

import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Method;
import dev.cove.rpc.Query;
import dev.cove.rpc.Request;

import java.time.Clock;

/** A handler that asks for a service no one gave the host. */
@Query("needs.clock")
public final class NeedsClockOp implements Handler<NeedsClockOp.Now, NeedsClockOp.Time> {
    @Method("query:needs.clock.v1")
    public record Now() implements Request<Time> {
    }

    public record Time(long millis) {
    }

    private final Clock clock;

    public NeedsClockOp(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Time handle(Now input, CallContext context) {
        return new Time(clock.millis());
    }
}
