package dev.cove.daemon.metrics;

import dev.cove.api.Cove;
import dev.cove.api.jobs.JobState;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.library.Library;
import dev.cove.daemon.sessions.SessionService;
import dev.cove.daemon.upstream.Upstream;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.server.EventHub;
import dev.cove.rpc.server.RpcServer;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The daemon's health and its sessions' metrics for Prometheus, on a registry of its own.
 *
 * <p>Only RPC calls are counted as they happen ({@link #callEnded}: a map lookup, a counter and a
 * histogram bucket, no allocation once a method was seen); everything else is read when scraped, from
 * what the daemon already keeps (connections, subscriptions, job and session tables, library indexes,
 * upstream status), so an unscraped daemon pays nothing for it.
 *
 * <p>Cardinality: labels are bounded sets (registered methods, error codes, job states, session
 * statuses, libraries) except those that come from applications: app, version and metric name. Those
 * are never combined with a session id, are cut to {@value #MAX_LABEL_CHARS} characters, and past
 * {@code maxSeries} per family the smallest series are left out, counted in
 * {@code cove_metrics_series_omitted{family}}.
 */
public final class DaemonMetrics {
    private static final Logger log = LoggerFactory.getLogger(DaemonMetrics.class);
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    /** Default cap on series per application-labelled family; {@code cove.metrics.max.series} changes it. */
    public static final int DEFAULT_MAX_SERIES = 1000;
    static final int MAX_LABEL_CHARS = 100;
    /** Call latency buckets, seconds: most calls answer in well under a millisecond. */
    private static final double[] LATENCY_BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final ErrorCode[] CODES = ErrorCode.values();

    /** What the scrape reads; each may be missing in a daemon that runs without that domain. */
    public record Sources(EventHub hub, Supplier<RpcServer> server, SessionService sessions, Upstream upstream,
                          Supplier<JobManager> jobs, Supplier<Libraries> libraries) {
    }

    private record MethodStats(CounterDataPoint calls, DistributionDataPoint latency,
                               AtomicReferenceArray<CounterDataPoint> errors) {
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter calls;
    private final Counter errors;
    private final Histogram latency;
    private final ConcurrentHashMap<String, MethodStats> byMethod = new ConcurrentHashMap<>();
    private final Sources sources;
    private final int maxSeries;
    private final Instant startedAt = Instant.now();

    public DaemonMetrics(Sources sources, int maxSeries) {
        if (maxSeries < 1) {
            throw new IllegalArgumentException("cove.metrics.max.series must be at least 1, not " + maxSeries);
        }
        this.sources = sources;
        this.maxSeries = maxSeries;
        calls = Counter.builder().name("cove_rpc_calls").help("RPC calls answered, by registered method")
                .labelNames("method").withoutExemplars().register(registry);
        errors = Counter.builder().name("cove_rpc_errors").help("RPC calls answered with an error, by method and code")
                .labelNames("method", "code").withoutExemplars().register(registry);
        latency = Histogram.builder().name("cove_rpc_call_duration_seconds")
                .help("Time from reading a call to its handler returning, by method")
                .labelNames("method").classicOnly().classicUpperBounds(LATENCY_BOUNDS).withoutExemplars()
                .register(registry);
        registry.register((MultiCollector) this::collect);
    }

    /** A call to a registered method ended (from the RPC server's listener). */
    public void callEnded(String method, ErrorCode error, long nanos) {
        MethodStats s = byMethod.get(method);
        if (s == null) {
            s = byMethod.computeIfAbsent(method, m -> new MethodStats(calls.labelValues(m), latency.labelValues(m),
                    new AtomicReferenceArray<>(CODES.length)));
        }
        s.calls().inc();
        s.latency().observe(nanos / 1e9);
        if (error != null) {
            CounterDataPoint e = s.errors().get(error.ordinal());
            if (e == null) {
                e = errors.labelValues(method, error.name());
                s.errors().compareAndSet(error.ordinal(), null, e);
            }
            e.inc();
        }
    }

    /** The whole exposition, Prometheus text format 0.0.4. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    // ---- read at scrape time ----

    private MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(InfoSnapshot.builder().name("cove_build").help("Cove's version")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", Cove.VERSION)).build())
                .build());
        out.add(gauge("cove_daemon_start_time_seconds", "When the daemon started, Unix time",
                startedAt.toEpochMilli() / 1000.0));
        section(out, "rpc", this::rpc);
        section(out, "jobs", this::jobs);
        section(out, "libraries", this::libraries);
        section(out, "sessions", this::sessions);
        section(out, "upstream", this::upstream);
        return new MetricSnapshots(out);
    }

    /** One failing source (a database closing at shutdown) leaves its metrics out, not the whole scrape. */
    private static void section(List<MetricSnapshot> out, String name, java.util.function.Consumer<List<MetricSnapshot>> s) {
        List<MetricSnapshot> part = new ArrayList<>();
        try {
            s.accept(part);
            out.addAll(part);
        } catch (RuntimeException e) {
            log.debug("metrics: {} left out of this scrape: {}", name, e.toString());
        }
    }

    private void rpc(List<MetricSnapshot> out) {
        RpcServer server = sources.server().get();
        if (server != null) {
            out.add(gauge("cove_connections", "Client connections open", server.clients().size()));
        }
        EventHub hub = sources.hub();
        out.add(gauge("cove_subscribers", "Event subscriptions open", hub.size()));
        out.add(gauge("cove_subscriber_queued_events", "Events waiting in subscribers' queues", hub.queuedEvents()));
        out.add(counter("cove_subscriber_lagged_events", "Events dropped for subscribers that read too slowly "
                + "(each told how many it missed)", hub.laggedEvents()));
    }

    private void jobs(List<MetricSnapshot> out) {
        JobManager jobs = sources.jobs().get();
        if (jobs == null) {
            return;
        }
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("cove_jobs").help("Jobs by state (finished ones as kept in history)");
        for (Map.Entry<JobState, Long> e : jobs.countByState().entrySet()) {
            b.dataPoint(point(e.getValue(), "state", lower(e.getKey())));
        }
        out.add(b.build());
    }

    private void libraries(List<MetricSnapshot> out) {
        Libraries libraries = sources.libraries().get();
        if (libraries == null) {
            return;
        }
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("cove_index_entries")
                .help("Files and folders in each library's index");
        for (Library lib : libraries.all()) {
            try {
                b.dataPoint(point(lib.info().entries(), "library", cut(lib.name())));
            } catch (java.sql.SQLException | RuntimeException e) {
                log.debug("metrics: library {} left out: {}", lib.name(), e.toString());
            }
        }
        out.add(b.build());
    }

    private void sessions(List<MetricSnapshot> out) {
        SessionService sessions = sources.sessions();
        if (sessions == null) {
            return;
        }
        GaugeSnapshot.Builder byStatus = GaugeSnapshot.builder().name("cove_sessions")
                .help("Stored sessions by app, version and status (active, hung, crashed, ended)");
        long[] total = new long[SessionStatus.values().length];
        int kept = 0;
        int omitted = 0;
        java.util.Set<Labels> seen = new java.util.HashSet<>();
        for (SessionService.StatusCount c : sessions.statusCounts()) {
            total[c.status().ordinal()] += c.sessions();
            Labels l = Labels.of("app", cut(c.app()), "version", cut(c.version()), "status", lower(c.status()));
            // two long names cut to the same label would be a duplicate series, which Prometheus rejects
            if (kept < maxSeries && seen.add(l)) {
                kept++;
                byStatus.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(c.sessions()).build());
            } else {
                omitted++;
            }
        }
        out.add(byStatus.build());
        // totals are never cut, so "how many crashed" stays right whatever the cap leaves out
        GaugeSnapshot.Builder totals = GaugeSnapshot.builder().name("cove_sessions_by_status")
                .help("Stored sessions by status, all apps");
        for (SessionStatus st : SessionStatus.values()) {
            totals.dataPoint(point(total[st.ordinal()], "status", lower(st)));
        }
        out.add(totals.build());

        GaugeSnapshot.Builder points = GaugeSnapshot.builder().name("cove_session_metric_points")
                .help("Points stored by live sessions, by app, version, metric and kind");
        GaugeSnapshot.Builder sums = GaugeSnapshot.builder().name("cove_session_metric_sum")
                .help("Sum of the points' values of live sessions (for a COUNTER: its total)");
        GaugeSnapshot.Builder last = GaugeSnapshot.builder().name("cove_session_metric_last")
                .help("The latest point's value among live sessions (for a GAUGE: its current level)");
        GaugeSnapshot.Builder live = GaugeSnapshot.builder().name("cove_session_metric_sessions")
                .help("Live sessions reporting the metric");
        int metricKept = 0;
        int metricOmitted = 0;
        seen.clear();
        for (SessionService.MetricAggregate m : sessions.liveMetrics()) {
            Labels l = Labels.of("app", cut(m.app()), "version", cut(m.version()), "metric", cut(m.metric()),
                    "kind", lower(m.kind()));
            if (metricKept >= maxSeries || !seen.add(l)) {
                metricOmitted++;
                continue;
            }
            metricKept++;
            points.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(m.points()).build());
            sums.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(m.sum()).build());
            last.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(m.last()).build());
            live.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(m.sessions()).build());
        }
        out.add(points.build());
        out.add(sums.build());
        out.add(last.build());
        out.add(live.build());
        out.add(GaugeSnapshot.builder().name("cove_metrics_series_omitted")
                .help("Series left out of this scrape past the cap (cove.metrics.max.series), by family")
                .dataPoint(point(omitted, "family", "cove_sessions"))
                .dataPoint(point(metricOmitted, "family", "cove_session_metric"))
                .build());
    }

    private void upstream(List<MetricSnapshot> out) {
        Upstream upstream = sources.upstream();
        if (upstream == null) {
            return;
        }
        UpstreamStatus s = upstream.status();
        GaugeSnapshot.Builder state = GaugeSnapshot.builder().name("cove_upstream_state")
                .help("Forwarding to OTLP: 1 for the current state (off, idle, sending, failing)");
        for (String st : List.of(UpstreamStatus.OFF, UpstreamStatus.IDLE, UpstreamStatus.SENDING, UpstreamStatus.FAILING)) {
            state.dataPoint(point(st.equals(s.state()) ? 1 : 0, "state", st));
        }
        out.add(state.build());
        out.add(gauge("cove_upstream_backlog_records", "Records stored but not yet acknowledged upstream", s.backlogRecords()));
        out.add(gauge("cove_upstream_backlog_bytes", "Stored size of the upstream backlog", s.backlogBytes()));
        out.add(gauge("cove_upstream_backlog_oldest_age_seconds", "Age of the oldest waiting record (0 when none)",
                s.oldestAgeMillis() == null ? 0 : s.oldestAgeMillis() / 1000.0));
        out.add(counter("cove_upstream_dropped_records", "Records dropped past the backlog bound", s.droppedRecords()));
        out.add(counter("cove_upstream_sent_points", "Metric points acknowledged upstream since the daemon started",
                s.sentPoints()));
        out.add(counter("cove_upstream_sent_log_records", "Log records (events, state changes) acknowledged upstream "
                + "since the daemon started", s.sentLogRecords()));
        out.add(counter("cove_upstream_requests", "Export requests since the daemon started", s.requests()));
        out.add(counter("cove_upstream_failed_requests", "Failed export requests since the daemon started",
                s.failedRequests()));
    }

    // ---- helpers ----

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }

    private static CounterSnapshot counter(String name, String help, double value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build();
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(double value, String... labels) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** An application's string as a label value: bounded, so one odd app cannot bloat every scrape. */
    static String cut(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_LABEL_CHARS ? s : s.substring(0, MAX_LABEL_CHARS - 1) + "…";
    }
}
