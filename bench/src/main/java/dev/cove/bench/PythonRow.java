package dev.cove.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.MetricSeriesInfo;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.rpc.codec.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Python row of {@code bin/bench sessions}: the Java row's workload through the Python client
 * ({@code bench/python/sessions_bench.py}) on the same daemon, its stored points read back here.
 */
final class PythonRow {
    private PythonRow() {
    }

    /** Prints the row; false when points were lost (or the script failed). Skipped without python3. */
    static boolean run(BenchDaemon daemon, int seconds, int rate, double baseRate) throws Exception {
        Path root = Path.of(System.getProperty("cove.root", "."));
        Path script = root.resolve("bench").resolve("python").resolve("sessions_bench.py");
        Process p;
        try {
            p = new ProcessBuilder("python3", script.toString(), daemon.paths.dataDir().toString(),
                    daemon.paths.instance(), Integer.toString(seconds), Integer.toString(rate))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            System.out.println("  python: skipped, no python3 on the PATH (" + e.getMessage() + ")");
            return true;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            System.out.println("  python: the script failed: " + out);
            return false;
        }
        List<String> lines = out.lines().toList();
        JsonNode r = Json.MAPPER.readTree(lines.get(lines.size() - 1));
        SessionDetail detail = daemon.client.call(new GetSession(r.path("sessionId").asText(), 0));
        long stored = detail.metrics().stream().filter(m -> m.name().equals("fps"))
                .mapToLong(MetricSeriesInfo::count).sum();
        long points = (long) seconds * rate;
        double elapsed = r.path("elapsed").asDouble();
        long daemonCalls = r.path("daemonCalls").asLong();
        System.out.printf("  python: app calls made   %,12d  (%,d metrics, %,d state, %,d heartbeats) in %.2f s%n",
                r.path("appCalls").asLong(), r.path("metricCalls").asLong(), r.path("stateCalls").asLong(),
                r.path("heartbeatCalls").asLong(), elapsed);
        System.out.printf("  python: calls sent       %,12d  -> %,.0f daemon calls per 100,000 points; %,d state "
                        + "updates not sent%n", daemonCalls, daemonCalls * 100_000.0 / Math.max(1, stored),
                r.path("stateUnchanged").asLong());
        System.out.printf("  python: points stored    %,12d  of %,d %s; %,.0f points/s delivered -> %.1fx the "
                        + "unbatched rate%n", stored, points,
                stored == points ? "(none lost)" : "(LOST " + (points - stored) + ")", stored / elapsed,
                (stored / elapsed) / baseRate);
        return stored == points;
    }
}
