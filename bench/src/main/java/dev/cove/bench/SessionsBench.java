package dev.cove.bench;

import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.LogMetrics;
import dev.cove.api.sessions.Metric;
import dev.cove.api.sessions.MetricSeriesInfo;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.Session;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionStats;
import dev.cove.api.sessions.Sessions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Issue 4's figure: an application logging 100,000 metrics per second (plus state updates, most of
 * them changing nothing, and heartbeats) through the batching session client. Printed: the calls the
 * application made, the calls that reached the daemon, and whether every point arrived. Baseline in
 * the same run: the same metric points sent without the client, one {@code sessions.metric.log}
 * call each, on the same daemon.
 */
final class SessionsBench {
    private SessionsBench() {
    }

    static void main(List<String> args) throws Exception {
        int seconds = 3;
        int rate = 100_000;
        int baselineCalls = 20_000;
        int forwardingSeconds = 20;
        boolean forwardingOnly = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--forwarding-seconds" -> forwardingSeconds = Integer.parseInt(args.get(++i));
                case "--forwarding-only" -> forwardingOnly = true;
                case "--seconds" -> seconds = Integer.parseInt(args.get(++i));
                case "--rate" -> rate = Integer.parseInt(args.get(++i));
                case "--baseline-calls" -> baselineCalls = Integer.parseInt(args.get(++i));
                default -> throw new IllegalArgumentException("unknown option " + args.get(i));
            }
        }
        Path dir = Files.createTempDirectory("cove-bench-sessions");
        if (forwardingOnly) {
            try {
                if (!ForwardingRow.run(dir, rate, forwardingSeconds)) {
                    System.exit(1);
                }
                return;
            } finally {
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        try (BenchDaemon daemon = BenchDaemon.start(dir.resolve("data"))) {
            System.out.printf("sessions: an app logging %,d metrics/s for %d s (load %s)%n", rate, seconds, Load.now());

            // baseline: every point its own call
            String baseId = daemon.client.call(new RegisterSession("bench-unbatched", "1",
                    ProcessHandle.current().pid())).sessionId();
            for (int i = 0; i < 1000; i++) { // warm-up
                daemon.client.call(new LogMetrics(baseId, new Metric("warm", i)));
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < baselineCalls; i++) {
                daemon.client.call(new LogMetrics(baseId, new Metric("fps", i % 60)));
            }
            double baseSeconds = (System.nanoTime() - t0) / 1e9;
            double baseRate = baselineCalls / baseSeconds;

            // batched: the session client
            long points = (long) rate * seconds;
            SessionStats stats;
            String id;
            long start = System.nanoTime();
            try (Session s = Sessions.of(daemon.client).withFlushInterval(Duration.ofMillis(250))
                    .start("bench-batched", "1")) {
                id = s.id();
                long perMilli = Math.max(1, rate / 1000);
                long sent = 0;
                for (long tick = 0; sent < points; tick++) {
                    long due = start + tick * 1_000_000L;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait(); // pacing to the target rate; this is the workload, not a wait
                    }
                    for (int k = 0; k < perMilli && sent < points; k++, sent++) {
                        s.metric("fps", sent % 60);
                    }
                    s.state("frame", Map.of("scene", "main", "paused", false)); // unchanged after the first
                    if (tick % 10 == 0) {
                        s.heartbeat();
                    }
                }
                s.flush(Duration.ofSeconds(30));
                stats = s.stats();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            SessionDetail detail = daemon.client.call(new GetSession(id, 0));
            long stored = detail.metrics().stream().filter(m -> m.name().equals("fps"))
                    .mapToLong(MetricSeriesInfo::count).sum();

            System.out.printf("  app calls made           %,12d  (%,d metrics, %,d state, %,d heartbeats) in %.2f s%n",
                    stats.appCalls(), stats.metricCalls(), stats.stateCalls(), stats.heartbeatCalls(), elapsed);
            System.out.printf("  calls sent to the daemon %,12d  -> %,.0fx fewer calls than one per app call%n",
                    stats.daemonCalls(), (double) stats.appCalls() / Math.max(1, stats.daemonCalls()));
            System.out.printf("  state updates not sent   %,12d  (unchanged after merge)%n", stats.stateUnchanged());
            System.out.printf("  points stored            %,12d  of %,d %s%n", stored, points,
                    stored == points ? "(none lost)" : "(LOST " + (points - stored) + ")");
            System.out.printf("  baseline: one call per point: %,.0f points/s (%,d calls in %.2f s)%n", baseRate,
                    baselineCalls, baseSeconds);
            System.out.printf("  batched: %,.0f points/s delivered -> %.1fx the unbatched rate%n", stored / elapsed,
                    (stored / elapsed) / baseRate);
            System.out.printf("  java: %,.0f daemon calls per 100,000 points%n",
                    stats.daemonCalls() * 100_000.0 / Math.max(1, stored));
            boolean pythonOk = PythonRow.run(daemon, seconds, rate, baseRate);
            boolean goOk = GoSessionsRow.print(daemon, rate, seconds, dir);
            boolean forwardingOk = ForwardingRow.run(dir, rate, forwardingSeconds);
            if (stored != points || !pythonOk || !goOk || !forwardingOk) {
                System.exit(1);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The 1-minute load average, for the record next to the figures. */
    static final class Load {
        static String now() {
            try {
                return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
            } catch (Exception e) {
                return "?";
            }
        }
    }
}
