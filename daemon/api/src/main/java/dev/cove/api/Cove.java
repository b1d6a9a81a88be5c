package dev.cove.api;

import dev.cove.api.events.CoveEvent;
import dev.cove.rpc.AppIdentity;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;

/** Entry points for programs that use Cove: its version, its identity, its event types, and a ready client builder. */
public final class Cove {
    /** The version of these contracts (and of the daemon built with them). */
    public static final String VERSION = CoveVersion.read();

    /** Cove's names for the framework: data folder, environment variables, command (see {@link CoveIdentity}). */
    public static final AppIdentity APP = CoveIdentity.APP;

    /** Every event type Cove publishes. */
    public static final EventTypes EVENTS = EventTypes.fromSealed(CoveEvent.class);

    private Cove() {
    }

    /**
     * A client builder for an instance that decodes Cove's events into records. Add
     * {@code .autoStart()} to start the daemon when none runs.
     */
    public static CoreClient.Builder client(InstancePaths instance) {
        return CoreClient.builder().instance(instance).events(EVENTS);
    }
}
