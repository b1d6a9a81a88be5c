package dev.cove.bench;

import com.sun.net.httpserver.HttpServer;
import dev.cove.api.sessions.Session;
import dev.cove.api.sessions.Sessions;
import dev.cove.api.upstream.GetUpstreamStatus;
import dev.cove.api.upstream.UpstreamStatus;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 15's forwarding figure: the same paced 100,000 points/s through {@code Sessions.of(client)},
 * once on a daemon with forwarding off and once on a daemon forwarding to a local OTLP/HTTP sink; the
 * upstream backlog sampled every second (does it stay flat?), and what the daemon spent: CPU time
 * (utime + stime from /proc) during the run and peak resident memory (VmHWM).
 */
final class ForwardingRow {
    private ForwardingRow() {
    }

    /** What one daemon did under the workload. */
    record Run(String name, double seconds, long points, double cpuSeconds, long peakRssMiB, List<Long> backlog,
               long drainMillis, long sentPoints, long requests, long failed, long sinkRequests, long sinkBytes) {
    }

    /** An OTLP/HTTP endpoint that takes every export and answers 200 with an empty (valid) protobuf response. */
    static final class Sink implements AutoCloseable {
        final HttpServer server;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        Sink() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.createContext("/", ex -> {
                try (InputStream in = ex.getRequestBody()) {
                    bytes.addAndGet(in.transferTo(java.io.OutputStream.nullOutputStream()));
                }
                requests.incrementAndGet();
                ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
            server.setExecutor(Executors.newFixedThreadPool(2));
            server.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static boolean run(Path dir, int rate, int seconds) throws Exception {
        System.out.printf("forwarding: %,d points/s for %d s, forwarding off vs on to a local OTLP/HTTP sink (load %s)%n",
                rate, seconds, SessionsBench.Load.now());
        Run off = once("off", dir.resolve("fwd-off"), null, rate, seconds);
        Run on;
        try (Sink sink = new Sink()) {
            Path config = dir.resolve("forwarding.properties");
            Files.writeString(config, "OTEL_EXPORTER_OTLP_ENDPOINT=" + sink.endpoint() + "\n");
            on = once("on", dir.resolve("fwd-on"), config, rate, seconds);
            on = new Run(on.name(), on.seconds(), on.points(), on.cpuSeconds(), on.peakRssMiB(), on.backlog(),
                    on.drainMillis(), on.sentPoints(), on.requests(), on.failed(), sink.requests.get(), sink.bytes.get());
        }
        for (Run r : List.of(off, on)) {
            System.out.printf("  %-3s daemon CPU %6.2f s in %.1f s (%.0f%% of one core), peak RSS %,d MiB%n", r.name(),
                    r.cpuSeconds(), r.seconds(), 100 * r.cpuSeconds() / r.seconds(), r.peakRssMiB());
        }
        System.out.printf("  forwarding costs %+.2f s CPU (%+.0f%% of one core) and %+,d MiB peak RSS%n",
                on.cpuSeconds() - off.cpuSeconds(), 100 * (on.cpuSeconds() - off.cpuSeconds()) / on.seconds(),
                on.peakRssMiB() - off.peakRssMiB());
        System.out.printf("  backlog (records) each second while forwarding: %s%n", on.backlog());
        System.out.printf("  drained %s after the app stopped; %,d points sent in %,d requests (%,d failed); sink got "
                        + "%,d requests, %,d bytes%n", on.drainMillis() < 0 ? "NOT within 60 s" : on.drainMillis() + " ms",
                on.sentPoints(), on.requests(), on.failed(), on.sinkRequests(), on.sinkBytes());
        // The backlog is a sawtooth: it fills for one cove.upstream.interval, then empties in one send. Keeping up
        // means its peaks do not climb: the second half's highest within a quarter of the first half's.
        int half = on.backlog().size() / 2;
        long firstHalfMax = on.backlog().subList(0, half).stream().mapToLong(Long::longValue).max().orElse(0);
        long secondHalfMax = on.backlog().subList(half, on.backlog().size()).stream()
                .mapToLong(Long::longValue).max().orElse(0);
        boolean flat = secondHalfMax <= 1.25 * Math.max(firstHalfMax, rate) && on.drainMillis() >= 0
                && on.sentPoints() >= on.points();
        System.out.printf("  backlog %s: highest %,d records in the first half, %,d in the second (%.1f s of points)%n",
                flat ? "flat (keeps up)" : "GROWING (does not keep up)", firstHalfMax, secondHalfMax,
                secondHalfMax / (double) rate);
        return flat;
    }

    private static Run once(String name, Path data, Path config, int rate, int seconds) throws Exception {
        try (BenchDaemon d = config == null ? BenchDaemon.start(data)
                : BenchDaemon.start(data, "--config", config.toString())) {
            List<Long> backlog = new ArrayList<>();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            double cpu0 = d.cpuSeconds();
            long start = System.nanoTime();
            sampler.scheduleAtFixedRate(() -> {
                synchronized (backlog) {
                    backlog.add(d.client.call(new GetUpstreamStatus()).backlogRecords());
                }
            }, 1, 1, TimeUnit.SECONDS);
            long points = (long) rate * seconds;
            try (Session s = Sessions.of(d.client).withFlushInterval(Duration.ofMillis(250)).start("bench-forward", "1")) {
                long perMilli = Math.max(1, rate / 1000);
                long sent = 0;
                for (long tick = 0; sent < points; tick++) {
                    long due = start + tick * 1_000_000L;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait(); // pacing to the target rate: the workload, not a wait
                    }
                    for (int k = 0; k < perMilli && sent < points; k++, sent++) {
                        s.metric("fps", sent % 60);
                    }
                    if (tick % 10 == 0) {
                        s.heartbeat();
                    }
                }
                s.flush(Duration.ofSeconds(60));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double cpu = d.cpuSeconds() - cpu0;
            sampler.shutdownNow();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
            long drainStart = System.nanoTime();
            long drain = -1;
            UpstreamStatus st = d.client.call(new GetUpstreamStatus());
            if (config != null) {
                while (System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(60)) {
                    st = d.client.call(new GetUpstreamStatus());
                    if (st.backlogRecords() == 0 && st.sentPoints() >= points) {
                        drain = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart);
                        break;
                    }
                    Thread.sleep(50); // polling the daemon's status while it drains, bounded by the deadline above
                }
            }
            List<Long> copy;
            synchronized (backlog) {
                copy = List.copyOf(backlog);
            }
            return new Run(name, elapsed, points, cpu, d.peakRssMiB(), copy, drain, st.sentPoints(), st.requests(),
                    st.failedRequests(), 0, 0);
        }
    }
}
