package dev.cove.daemon;

import dev.cove.api.Durations;
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
                            Duration hangWindow, Duration sessionRetention, Lifetime lifetime, Path configFile) {

    public DaemonOptions(InstancePaths paths, long parentPid, LogLevel logLevel, Duration shutdownGrace,
                         Duration hangWindow, Duration sessionRetention, Lifetime lifetime) {
        this(paths, parentPid, logLevel, shutdownGrace, hangWindow, sessionRetention, lifetime, null);
    }

    public DaemonOptions(InstancePaths paths, long parentPid, LogLevel logLevel, Duration shutdownGrace) {
        this(paths, parentPid, logLevel, shutdownGrace, Duration.ofSeconds(60), Duration.ofDays(30));
    }

    public DaemonOptions(InstancePaths paths, long parentPid, LogLevel logLevel, Duration shutdownGrace,
                         Duration hangWindow, Duration sessionRetention) {
        this(paths, parentPid, logLevel, shutdownGrace, hangWindow, sessionRetention, Lifetime.DEFAULTS);
    }

    /**
     * When a daemon ends itself: after {@code idleTimeout} without clients or jobs (zero: never), and when
     * the heap stays above {@code heapLimitPercent} of its maximum after garbage collection for
     * {@code heapWindow} (limit zero: never).
     */
    public record Lifetime(Duration idleTimeout, int heapLimitPercent, Duration heapWindow) {
        public static final Lifetime DEFAULTS = new Lifetime(Duration.ZERO, 90, Duration.ofSeconds(30));
    }

    /**
     * The settings a person can give {@code cove start} and {@code cove daemon}, by option name without dashes, in
     * the options' own syntax: what {@code cove status} shows and what {@code cove start} compares its options
     * with when a daemon runs already (both sides read by {@link #parse}, so {@code 600s} equals {@code 10m}).
     */
    public java.util.Map<String, String> settings() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("log-level", logLevel.name().toLowerCase(java.util.Locale.ROOT));
        m.put("idle-timeout", Durations.format(lifetime.idleTimeout()));
        m.put("shutdown-grace", Durations.format(shutdownGrace));
        m.put("hang-window", Durations.format(hangWindow));
        m.put("session-retention", Durations.format(sessionRetention));
        m.put("heap-limit", lifetime.heapLimitPercent() + "%");
        m.put("heap-window", Durations.format(lifetime.heapWindow()));
        m.put("config", configFile == null ? "" : configFile.toString());
        return m;
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
              --shutdown-grace S  seconds running calls get to finish on shutdown (default 10; also 10s, 1m)
              --hang-window S     seconds without a heartbeat before an application session counts as hung
                                  (default 60; sessions may choose their own at register; 0 turns detection off)
              --session-retention DAYS
                                  ended sessions older than this are deleted with their events and metrics
                                  (default 30; also 12h, 2w; 0 keeps them forever)
              --idle-timeout D    stop after D without a connected client or a running job: 30s, 10m, 2h
                                  (default: $COVE_IDLE_TIMEOUT, else 0 = never)
              --heap-limit PCT    stop (exit status 75, so a supervisor starts a fresh daemon) when the heap stays
                                  above PCT % of its maximum after garbage collection (default 90; 0 = never)...
              --heap-window D     ...for this long (default 30s)
              --supervise         run a supervisor that runs the daemon and restarts it when it crashes
              --config FILE       settings file (Java properties; default: $COVE_CONFIG): OTEL_* keys to forward
                                  sessions to OpenTelemetry, cove.upstream.* and cove.metrics.* (docs/sessions.md)""";

    public static DaemonOptions parse(List<String> args) {
        Path dataDir = null;
        String instance = null;
        long parentPid = 0;
        LogLevel level = LogLevel.INFO;
        Duration grace = Duration.ofSeconds(10);
        Duration hangWindow = Duration.ofSeconds(60);
        Duration retention = Duration.ofDays(30);
        String idleEnv = System.getenv("COVE_IDLE_TIMEOUT");
        Duration idle = idleEnv == null || idleEnv.isBlank() ? Duration.ZERO : Durations.parse("COVE_IDLE_TIMEOUT", idleEnv);
        String configEnv = System.getenv("COVE_CONFIG");
        Path config = configEnv == null || configEnv.isBlank() ? null : Path.of(configEnv);
        int heapLimit = Lifetime.DEFAULTS.heapLimitPercent();
        Duration heapWindow = Lifetime.DEFAULTS.heapWindow();
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
                case "--shutdown-grace" -> grace = length(key, value, 1000);
                case "--hang-window" -> hangWindow = seconds(key, value, 0.1);
                case "--session-retention" -> retention = length(key, value, 86_400_000L);
                case "--idle-timeout" -> idle = Durations.parse(key, value);
                case "--heap-limit" -> heapLimit = percent(key, value);
                case "--heap-window" -> heapWindow = Durations.parse(key, value);
                case "--config" -> config = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
            }
        }
        return new DaemonOptions(InstancePaths.resolve(dataDir, instance), parentPid, level, grace, hangWindow,
                retention, new Lifetime(idle, heapLimit, heapWindow), config);
    }


    private static int percent(String option, String s) {
        String t = s.strip().endsWith("%") ? s.strip().substring(0, s.strip().length() - 1) : s.strip();
        try {
            int p = Integer.parseInt(t);
            if (p >= 0 && p <= 100) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new IllegalArgumentException(option + " needs a percentage from 0 (off) to 100, got '" + s + "'");
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

    private static final java.util.regex.Pattern PLAIN_NUMBER = java.util.regex.Pattern.compile("[0-9]+(\\.[0-9]+)?");

    /**
     * A length of time: a plain number counts in {@code unitMillis} (seconds, days: what these options always took),
     * anything else is a duration with its unit ({@code 10s}, {@code 30d}), as {@link #settings()} reports it, so
     * that what `cove status` shows can be given back to `cove start` as it is.
     */
    private static Duration length(String option, String s, long unitMillis) {
        if (PLAIN_NUMBER.matcher(s.strip()).matches()) {
            return Duration.ofMillis((long) (number(option, s) * unitMillis));
        }
        if (!Durations.valid(s)) {
            throw new IllegalArgumentException(option + " needs a number of " + (unitMillis == 1000 ? "seconds" : "days")
                    + " or a duration such as 90s, 10m, 12h or 2d, got '" + s + "'");
        }
        return Durations.parse(option, s);
    }

    /** Seconds (decimals allowed), or a duration with its unit: 0, or at least {@code min} seconds. */
    private static Duration seconds(String option, String s, double min) {
        double d = length(option, s, 1000).toMillis() / 1000.0;
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
