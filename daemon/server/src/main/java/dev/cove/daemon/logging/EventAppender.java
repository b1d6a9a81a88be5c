package dev.cove.daemon.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import dev.cove.api.events.LogLevel;
import dev.cove.api.events.LogMessage;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.server.EventHub;

import java.time.Instant;

/** Publishes log lines as {@link LogMessage} events when anyone listens. */
final class EventAppender extends AppenderBase<ILoggingEvent> {
    private static final String TYPE = EventTypes.nameOf(LogMessage.class);
    /** Publishing may itself log; those lines must not loop back onto the bus. */
    private static final ThreadLocal<Boolean> PUBLISHING = ThreadLocal.withInitial(() -> false);
    private final EventHub hub;

    EventAppender(EventHub hub) {
        this.hub = hub;
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (PUBLISHING.get() || !hub.hasSubscribers(TYPE)) {
            return;
        }
        PUBLISHING.set(true);
        try {
            IThrowableProxy t = e.getThrowableProxy();
            hub.publish(new LogMessage(Instant.ofEpochMilli(e.getTimeStamp()), LogLevel.parse(e.getLevel().toString()),
                    target(e.getLoggerName()), e.getFormattedMessage(), e.getThreadName(),
                    t == null ? null : ThrowableProxyUtil.asString(t)));
        } finally {
            PUBLISHING.set(false);
        }
    }

    static String target(String logger) {
        return logger.startsWith("dev.cove.") ? logger.substring("dev.cove.".length()) : logger;
    }
}
