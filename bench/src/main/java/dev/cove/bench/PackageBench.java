package dev.cove.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Issue 22's figures for what {@code bin/package} made: the sizes (and what takes the room), then the unpacked
 * tarball's {@code bin/cove} against the checkout's in the same run: {@code cove status} against a running daemon
 * (interleaved, next to {@code java -version} of the JDK and of the package's runtime), the daemon's ready time
 * and its idle RSS on each runtime.
 */
final class PackageBench {
    private PackageBench() {
    }

    static void main(List<String> args) throws Exception {
        int runs = 20;
        int starts = 5;
        Path root = Path.of(System.getProperty("cove.root", ".")).toAbsolutePath();
        Path tarball = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--runs" -> runs = Integer.parseInt(args.get(++i));
                case "--starts" -> starts = Integer.parseInt(args.get(++i));
                case "--tarball" -> tarball = Path.of(args.get(++i)).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown option " + args.get(i));
            }
        }
        if (tarball == null) {
            try (Stream<Path> dist = Files.list(root.resolve("dist"))) {
                tarball = dist.filter(p -> p.getFileName().toString().endsWith("-linux-x64.tar.gz")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no dist/cove-*-linux-x64.tar.gz: run bin/package first"));
            }
        }
        Path dir = Files.createTempDirectory("cove-bench-package");
        ProcessBench.configHome = Files.createDirectories(dir.resolve("config"));
        try {
            System.out.printf("package: %s against bin/cove of this checkout, JDK %s, %d CPUs (load %s)%n",
                    tarball.getFileName(), Runtime.version(), Runtime.getRuntime().availableProcessors(),
                    SessionsBench.Load.now());
            ProcessBench.run(List.of("tar", "-C", dir.toString(), "-xzf", tarball.toString()), 300);
            Path tree;
            try (Stream<Path> s = Files.list(dir)) {
                tree = s.filter(p -> p.getFileName().toString().startsWith("cove-")).findFirst().orElseThrow();
            }
            sizes(root, tarball, tree);

            Path packaged = tree.resolve("bin/cove");
            Path checkout = root.resolve("bin/cove");
            ProcessBench.run(List.of(checkout.toString(), "--version"), 300); // builds and trains the checkout if needed
            String jdkJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String runtimeJava = tree.resolve("runtime/bin/java").toString();
            String pd = dir.resolve("status-package").toString();
            String cd = dir.resolve("status-checkout").toString();
            Path docs = root.resolve("docs");
            ProcessBench.run(List.of(packaged.toString(), "--data-dir", pd, "start"), 120);
            ProcessBench.run(List.of(checkout.toString(), "--data-dir", cd, "start"), 120);
            List<String> names = List.of("java -version (the JDK)", "java -version (package's runtime)",
                    "cove status (checkout bin/cove)", "cove status (unpacked tarball)");
            List<List<String>> commands = List.of(List.of(jdkJava, "-version"), List.of(runtimeJava, "-version"),
                    List.of(checkout.toString(), "--data-dir", cd, "status"),
                    List.of(packaged.toString(), "--data-dir", pd, "status"));
            long[][] times = new long[commands.size()][runs];
            for (int i = 0; i < 3; i++) {
                for (List<String> c : commands) {
                    ProcessBench.run(c, 30);
                }
            }
            for (int i = 0; i < runs; i++) {
                for (int c = 0; c < commands.size(); c++) {
                    times[c][i] = ProcessBench.run(commands.get(c), 30);
                }
            }
            ProcessBench.run(List.of(packaged.toString(), "--data-dir", pd, "shutdown"), 60);
            ProcessBench.run(List.of(checkout.toString(), "--data-dir", cd, "shutdown"), 60);
            System.out.printf("%n  %d runs each, interleaved (milliseconds)   %8s %8s %8s%n", runs, "min", "median", "p90");
            for (int c = 0; c < commands.size(); c++) {
                Arrays.sort(times[c]);
                System.out.printf("  %-40s %8d %8d %8d%n", names.get(c), times[c][0], ProcessBench.pct(times[c], 50),
                        ProcessBench.pct(times[c], 90));
            }

            // daemon cold starts, alternating between the two launchers so that both see the same machine
            String[] labels = {"checkout bin/cove", "unpacked tarball"};
            Path[] launchers = {checkout, packaged};
            long[][] start = new long[2][starts];
            long[][] ready = new long[2][starts];
            long[][] processReady = new long[2][starts];
            long[][] rss = new long[2][starts];
            for (int i = 0; i < starts; i++) {
                for (int l = 0; l < 2; l++) {
                    Path d = dir.resolve("cold-" + l + "-" + i);
                    long wallBefore = System.currentTimeMillis();
                    long bootBefore = ProcessBench.bootMillis();
                    start[l][i] = ProcessBench.run(List.of(launchers[l].toString(), "--data-dir", d.toString(), "start"), 120);
                    ready[l][i] = ProcessBench.readyMillis(d.resolve("logs/daemon.log"));
                    long pid = Long.parseLong(Files.readString(d.resolve("daemon/daemon.lock")).strip());
                    processReady[l][i] = ProcessBench.processToReadyMillis(pid, d.resolve("logs/daemon.log"), wallBefore,
                            bootBefore);
                    Thread.sleep(3000); // idle memory is memory after start-up work settles; nothing to await
                    rss[l][i] = ProcessBench.rssKiB(pid);
                    ProcessBench.run(List.of(launchers[l].toString(), "--data-dir", d.toString(), "shutdown"), 60);
                }
            }
            System.out.printf("%n  daemon cold start, %d fresh data folders each (medians; min-max)%n", starts);
            for (int l = 0; l < 2; l++) {
                Arrays.sort(start[l]);
                Arrays.sort(ready[l]);
                Arrays.sort(processReady[l]);
                Arrays.sort(rss[l]);
                System.out.printf("  %-18s `cove start` %5d ms (%d-%d); ready %4d ms after main, %4d ms after process "
                                + "start; idle RSS %4d MiB (%d-%d)%n", labels[l],
                        ProcessBench.pct(start[l], 50), start[l][0], start[l][starts - 1],
                        ProcessBench.pct(ready[l], 50), ProcessBench.pct(processReady[l], 50),
                        ProcessBench.pct(rss[l], 50) / 1024, rss[l][0] / 1024, rss[l][starts - 1] / 1024);
            }
            System.out.printf("  (load at end %s)%n", SessionsBench.Load.now());
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The archives' sizes, and the unpacked tree's by part (a file hard-linked into several folders counts once). */
    private static void sizes(Path root, Path tarball, Path tree) throws IOException {
        System.out.printf("%n  sizes (MiB)%n");
        try (Stream<Path> dist = Files.list(tarball.getParent())) {
            for (Path p : dist.filter(Files::isRegularFile).sorted().toList()) {
                System.out.printf("  %-44s %7.1f%n", p.getFileName(), Files.size(p) / 1048576.0);
            }
        }
        Set<Object> seen = new HashSet<>();
        System.out.printf("  %-44s %7.1f%n", "unpacked tree", du(tree, seen) / 1048576.0);
        seen.clear();
        for (String part : List.of("runtime/lib/modules", "runtime/lib/server", "runtime", "lib/aot", "lib/daemon",
                "lib/graphql", "lib/desktop", "lib/cli", "share")) {
            System.out.printf("    %-42s %7.1f%n", part + (part.equals("runtime") ? " (all of it)" : ""),
                    du(tree.resolve(part), part.equals("runtime") ? new HashSet<>() : seen) / 1048576.0);
        }
    }

    private static long du(Path dir, Set<Object> seen) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            long total = 0;
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                Object key = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
                if (seen.add(key == null ? p : key)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }
}
