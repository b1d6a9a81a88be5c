package dev.cove.bench;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Go row of {@code bin/bench sessions}: the same workload through the Go client
 * ({@code clients/go/internal/bench}), built with the {@code go} tool and run against the same daemon.
 * Skipped, saying so, when {@code go} is not installed (Debian: {@code golang-go}).
 */
final class GoSessionsRow {
    private static final Pattern LINE = Pattern.compile(
            "GO points=(\\d+) stored=(\\d+) seconds=([0-9.]+) appCalls=(\\d+) daemonCalls=(\\d+)");

    private GoSessionsRow() {
    }

    /** Runs the Go workload and prints its row; false when it lost points or failed. */
    static boolean print(BenchDaemon daemon, int rate, int seconds, Path tmp) throws Exception {
        Path go = onPath("go");
        if (go == null) {
            System.out.println("  go client: skipped (no `go` on the PATH; install golang-go)");
            return true;
        }
        Path module = Path.of(System.getProperty("cove.root", ".")).resolve("clients/go");
        Path bin = tmp.resolve("cove-go-bench");
        Path out = tmp.resolve("go-bench.out");
        ProcessBuilder build = new ProcessBuilder(go.toString(), "build", "-o", bin.toString(), "./internal/bench")
                .directory(module.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        offline(build);
        if (build.start().waitFor() != 0) {
            System.out.println("  go client: FAILED to build:\n" + Files.readString(out, StandardCharsets.UTF_8));
            return false;
        }
        Process p = new ProcessBuilder(bin.toString(), "--data-dir", daemon.paths.dataDir().toString(),
                "--instance", daemon.paths.instance(), "--rate", Integer.toString(rate),
                "--seconds", Integer.toString(seconds)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Matcher m = LINE.matcher(text);
        if (p.exitValue() != 0 || !m.find()) {
            System.out.println("  go client: FAILED:\n" + text);
            return false;
        }
        long points = Long.parseLong(m.group(1));
        long stored = Long.parseLong(m.group(2));
        double elapsed = Double.parseDouble(m.group(3));
        long daemonCalls = Long.parseLong(m.group(5));
        System.out.printf("  go client: %,.0f points/s delivered, %,.1f daemon calls per 100,000 points "
                        + "(%,d app calls -> %,d daemon calls), points stored %,d of %,d %s%n", stored / elapsed,
                daemonCalls * 100_000.0 / points, Long.parseLong(m.group(4)), daemonCalls, stored, points,
                stored == points ? "(none lost)" : "(LOST " + (points - stored) + ")");
        return stored == points;
    }

    private static void offline(ProcessBuilder pb) {
        pb.environment().put("GOFLAGS", "-mod=mod");
        pb.environment().put("GOPROXY", "off");
        pb.environment().put("GOTOOLCHAIN", "local");
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
