package dev.cove.daemon.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.cove.api.events.LogLevel;
import dev.cove.api.events.LogMessage;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.server.EventHub;
import dev.cove.rpc.server.Subscription;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Logging for the daemon, set up in code so no stray logback.xml on the classpath can change it:
 * a rolling file, the console when run in a terminal, and every line also published as a
 * {@link LogMessage} event. The root level follows the most detailed level anyone asks for (the
 * file's, or a subscriber's {@code level} filter), so {@code cove logs --follow --level debug}
 * gets debug lines without the file filling with them.
 */
public final class LogSetup {
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{40} - %msg%n";

    private LogSetup() {
    }

    public static void configure(Path logFile, LogLevel fileLevel, boolean console) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(ctx);
        file.setName("file");
        file.setFile(logFile.toString());
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(ctx);
        policy.setParent(file);
        String base = logFile.getFileName().toString().replaceFirst("\\.log$", "");
        policy.setFileNamePattern(logFile.resolveSibling(base + "-%d{yyyy-MM-dd}.%i.log.gz").toString());
        policy.setMaxFileSize(FileSize.valueOf("10MB"));
        policy.setMaxHistory(7);
        policy.setTotalSizeCap(FileSize.valueOf("200MB"));
        policy.start();
        file.setRollingPolicy(policy);
        file.setEncoder(encoder(ctx));
        file.addFilter(threshold(ctx, fileLevel));
        file.start();
        root.addAppender(file);

        if (console) {
            ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
            out.setContext(ctx);
            out.setName("console");
            out.setEncoder(encoder(ctx));
            out.addFilter(threshold(ctx, fileLevel));
            out.start();
            root.addAppender(out);
        }
        root.setLevel(toLogback(fileLevel));
        // libraries are noisy below info; their debug lines are not what a Cove user asks for
        ctx.getLogger("io.github.classgraph").setLevel(Level.INFO);
    }

    /** Starts publishing log lines on the bus and keeps the root level in step with subscribers. */
    public static void publishTo(EventHub hub, LogLevel fileLevel) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        EventAppender appender = new EventAppender(hub);
        appender.setContext(ctx);
        appender.setName("events");
        appender.start();
        root.addAppender(appender);
        Runnable adjust = () -> {
            LogLevel wanted = fileLevel;
            String name = EventTypes.nameOf(LogMessage.class);
            for (Subscription s : hub.subscriptions()) {
                if (!s.types().isEmpty() && !s.types().contains(name)) {
                    continue;
                }
                String level = s.filter().get("level");
                try {
                    LogLevel l = level == null ? LogLevel.INFO : LogLevel.parse(level);
                    if (l.compareTo(wanted) < 0) {
                        wanted = l;
                    }
                } catch (IllegalArgumentException ignored) {
                    // an unknown level passes nothing; it asks for no extra detail
                }
            }
            root.setLevel(toLogback(wanted));
        };
        hub.onChange(adjust);
        adjust.run();
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(PATTERN);
        e.start();
        return e;
    }

    private static ThresholdFilter threshold(LoggerContext ctx, LogLevel level) {
        ThresholdFilter f = new ThresholdFilter();
        f.setContext(ctx);
        f.setLevel(level.name());
        f.start();
        return f;
    }

    static Level toLogback(LogLevel l) {
        return Level.toLevel(l.name());
    }

    public static void stop() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
