package dev.cove.daemon;

import dev.cove.api.events.LogLevel;
import dev.cove.rpc.instance.InstancePaths;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a daemon was asked to run. Parsed by hand: the daemon takes few options and must not drag
 * the CLI's parser onto its start-up path.
 */
public record DaemonOptions(InstancePaths paths, long parentPid, LogLevel logLevel, Duration shutdownGrace,
                            Duration hangWindow, Duration sessionRetention) {

    public DaemonOptions(InstancePaths paths, long parentPid, LogLevel logLevel, Duration shutdownGrace) {
        this(paths, parentPid, logLevel, shutdownGrace, Duration.ofSeconds(60), Duration.ofDays(30));
    }

    public boolean isPrivate() {
        return parentPid > 0;
    }

    public static final String USAGE = """
            usage: cove daemon [--data-dir DIR] [--instance NAME] [--parent-pid PID] [--log-level LEVEL]
              --data-dir DIR      data folder (default: $COVE_DATA_DIR, else $XDG_DATA_HOME/cove, else ~/.local/share/cove)
              --instance NAME     named instance with its own socket, lock and data (default: default)
              --parent-pid PID    private daemon: stop and remove this instance's files when PID exits
              --log-level LEVEL   file log level: trace, debug, info (default), warn, error
              --shutdown-grace S  seconds running calls get to finish on shutdown (default 10)
              --hang-window S     seconds without a heartbeat before an application session counts as hung
                                  (default 60; sessions may choose their own at register; 0 turns detection off)
              --session-retention DAYS
                                  ended sessions older than this are deleted with their events and metrics
                                  (default 30; 0 keeps them forever)""";

    public static DaemonOptions parse(List<String> args) {
        Path dataDir = null;
        String instance = null;
        long parentPid = 0;
        LogLevel level = LogLevel.INFO;
        Duration grace = Duration.ofSeconds(10);
        Duration hangWindow = Duration.ofSeconds(60);
        Duration retention = Duration.ofDays(30);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--help") || a.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            String key = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("option " + a + " needs a value\n" + USAGE);
                }
                value = args.get(++i);
            }
            switch (key) {
                case "--data-dir" -> dataDir = Path.of(value);
                case "--instance" -> instance = value;
                case "--parent-pid" -> parentPid = parsePid(value);
                case "--log-level" -> level = LogLevel.parse(value);
                case "--shutdown-grace" -> grace = Duration.ofMillis((long) (Double.parseDouble(value) * 1000));
                case "--hang-window" -> hangWindow = seconds(key, value, 0.1);
                case "--session-retention" -> retention = Duration.ofMillis((long) (number(key, value) * 86_400_000L));
                default -> throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
            }
        }
        return new DaemonOptions(InstancePaths.resolve(dataDir, instance), parentPid, level, grace, hangWindow,
                retention);
    }

    private static double number(String option, String s) {
        try {
            double d = Double.parseDouble(s);
            if (d >= 0 && !Double.isInfinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException(option + " needs a number of 0 or more, got '" + s + "'");
    }

    /** Seconds (decimals allowed) as a duration: 0, or at least {@code min} seconds. */
    private static Duration seconds(String option, String s, double min) {
        double d = number(option, s);
        if (d != 0 && d < min) {
            throw new IllegalArgumentException(option + " must be 0 (off) or at least " + min + " s, got " + s);
        }
        return Duration.ofMillis((long) (d * 1000));
    }

    private static long parsePid(String s) {
        try {
            long pid = Long.parseLong(s);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException("--parent-pid needs a process id, got '" + s + "'");
    }
}
