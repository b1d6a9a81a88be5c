package dev.cove.rpc;

/** The application identity of the framework's own tests: a daemon that is not Cove. */
public final class DemoIdentity implements AppIdentity.Provider {
    public static final AppIdentity APP = new AppIdentity("demo", "DEMO", "Demo", null);

    @Override
    public AppIdentity identity() {
        return APP;
    }
}
