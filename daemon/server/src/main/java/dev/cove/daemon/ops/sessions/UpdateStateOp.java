package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.StateUpdated;
import dev.cove.api.sessions.UpdateState;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Deep-merges a patch into a session's state. */
@Action("sessions.state.update")
public final class UpdateStateOp implements Handler<UpdateState, StateUpdated> {
    private final SessionService sessions;

    public UpdateStateOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public StateUpdated handle(UpdateState input, CallContext context) {
        return sessions.updateState(input);
    }
}
