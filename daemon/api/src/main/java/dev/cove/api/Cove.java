package dev.cove.api;

import dev.cove.api.events.CoveEvent;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Entry points for programs that use Cove: its version, its event types, and a ready client builder. */
public final class Cove {
    /** The version of these contracts (and of the daemon built with them). */
    public static final String VERSION = readVersion();

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

    private static String readVersion() {
        try (InputStream in = Cove.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
