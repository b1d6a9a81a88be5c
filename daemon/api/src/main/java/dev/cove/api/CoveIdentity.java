package dev.cove.api;

import dev.cove.rpc.AppIdentity;

/**
 * Cove's names for the framework: {@code COVE_DATA_DIR}, {@code ~/.local/share/cove}, {@code /tmp/cove-$USER},
 * {@code COVE_LAUNCHER}, {@code cove daemon}. Declared as the class path's {@link AppIdentity.Provider}, so every
 * program with cove-api on its class path resolves Cove's folders without naming them. Kept apart from
 * {@link Cove}, whose constants load the event types: a quick CLI command needs only this.
 */
public final class CoveIdentity implements AppIdentity.Provider {
    public static final AppIdentity APP = new AppIdentity("cove", "COVE", "Cove", "dev.cove.daemon.DaemonMain");

    @Override
    public AppIdentity identity() {
        return APP;
    }
}
