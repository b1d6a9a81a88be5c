package dev.cove.daemon.upstream;

import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.daemon.sessions.SessionService;

/**
 * Forwarding of sessions upstream, as the daemon's operations see it: off (no endpoint configured, and
 * then not one class of the OpenTelemetry SDK is loaded), or a running {@link Forwarder}.
 */
public final class Upstream implements AutoCloseable {
    private static final UpstreamStatus OFF = new UpstreamStatus(UpstreamStatus.OFF, null, null, null, null, 0, 0,
            null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, null);
    private final Forwarder forwarder;

    private Upstream(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    public static Upstream off() {
        return new Upstream(null);
    }

    /** Starts forwarding {@code sessions} with {@code config}; {@code config} null means off. */
    public static Upstream start(UpstreamConfig config, SessionService sessions) {
        if (config == null) {
            return off();
        }
        Forwarder[] self = new Forwarder[1];
        var feed = sessions.feed(e -> {
            if (self[0] != null) {
                self[0].committed(e);
            }
        });
        self[0] = new Forwarder(config, feed, () -> new OtlpSink(config));
        return new Upstream(self[0].start());
    }

    public boolean enabled() {
        return forwarder != null;
    }

    public UpstreamStatus status() {
        return forwarder == null ? OFF : forwarder.status();
    }

    @Override
    public void close() {
        if (forwarder != null) {
            forwarder.close();
        }
    }
}
