package dev.cove.daemon.ops.sessions;

import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.SessionRegistered;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

/** Registers an application's session and starts watching its process. */
@Action("sessions.register")
public final class RegisterOp implements Handler<RegisterSession, SessionRegistered> {
    private final SessionService sessions;

    public RegisterOp(SessionService sessions) {
        this.sessions = sessions;
    }

    @Override
    public SessionRegistered handle(RegisterSession input, CallContext context) {
        return sessions.register(input, context.peer());
    }
}
