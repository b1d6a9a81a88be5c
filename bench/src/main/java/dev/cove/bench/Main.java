package dev.cove.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the end-to-end benchmarks: {@code bin/bench files [index|search|copy] [options]}.
 * Every figure is printed next to a baseline measured in the same run.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage();
            return;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "files" -> FilesBench.main(rest);
            case "sessions" -> SessionsBench.main(rest);
            case "rpc" -> RpcBench.main(rest);
            case "process" -> ProcessBench.main(rest);
            case "package" -> PackageBench.main(rest);
            case "jmh" -> org.openjdk.jmh.Main.main(rest.toArray(String[]::new));
            default -> {
                System.err.println("unknown suite " + args[0]);
                usage();
                System.exit(2);
            }
        }
    }

    static void usage() {
        System.out.println("""
                usage: bin/bench files [index] [search] [copy] [scale] [options]   (no part named: the first three)
                  --dir DIR            where to generate data (default: a new folder under $TMPDIR); removed afterwards
                  --files N            files in the indexing tree (default 200000)
                  --entries N          entries in the search index (default 1000000)
                  --queries N          measured search queries (default 300)
                  --warmup N           unmeasured search queries before them (default 50)
                  --copy-mib N         size of the copied file in MiB (default 1024)
                  --keep               keep the generated data
                  --tree DIR           index DIR (e.g. /usr/share) instead of a generated tree (index part)
                  --no-baselines       skip the updatedb and cat baselines (find still runs): quick reruns of the index part
                       bin/bench sessions [--seconds N] [--rate METRICS_PER_S] [--baseline-calls N]
                                           [--forwarding-seconds N] [--forwarding-only]
                       bin/bench rpc [latency] [throughput] [fanout] [--calls N] [--warmup N] [--seconds S] [--metrics]
                                     [--threads PER_CONNECTION] [--events N]   (in-process server, no daemon)
                       bin/bench process [--runs N] [--starts N] [--warmup N] [--hosted N] [--word W]   (every
                                     cove command, typed and through the JVM CLI, vs `java -version`, `watchman
                                     version` and plocate in one interleaved run; start/restart; daemon RSS with and
                                     without the CLI host after N typed commands; `cove daemon` becomes the daemon?;
                                     daemon cold start and idle RSS; as root, installs Debian's watchman and plocate)
                       bin/bench package [--runs N] [--starts N] [--tarball FILE]   (what bin/package made: sizes;
                                     `cove status`, daemon ready and idle RSS from the unpacked tarball against
                                     bin/cove from this checkout, interleaved in one run)
                       bin/bench jmh [JMH options, e.g. RpcJmh -f 1 -wi 3 -i 5]   (JMH round trip: RpcJmh)
                daemon JVM flags: COVE_BENCH_DAEMON_OPTS (e.g. -XX:StartFlightRecording=filename=/tmp/d.jfr)""");
    }
}
