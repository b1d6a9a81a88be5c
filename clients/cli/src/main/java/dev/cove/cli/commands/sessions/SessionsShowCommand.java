package dev.cove.cli.commands.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.MetricBucket;
import dev.cove.api.sessions.MetricKind;
import dev.cove.api.sessions.MetricSeries;
import dev.cove.api.sessions.MetricSeriesInfo;
import dev.cove.api.sessions.QueryMetrics;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.codec.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "show", description = {
        "Show a session: its summary, its state as a tree, its recent events as a timeline, and each metric series "
                + "as a sparkline over its lifetime with min, avg, max and p95."})
public final class SessionsShowCommand implements Callable<Integer> {
    private static final char[] SPARKS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};
    private static final int BUCKETS = 30;

    @ParentCommand
    SessionsCommand parent;

    @Parameters(paramLabel = "ID", description = "The session's id (see `cove sessions list`).")
    String sessionId;

    @Option(names = {"-n", "--events"}, paramLabel = "N", defaultValue = "20",
            description = "How many recent events to show (default: ${DEFAULT-VALUE}).")
    int events;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        SessionDetail d;
        List<MetricSeries> sparks = new ArrayList<>();
        List<MetricSeries> totals = new ArrayList<>();
        try (CoreClient client = cove.client()) {
            d = client.call(new GetSession(sessionId, Math.max(0, Math.min(events, 10_000))));
            for (MetricSeriesInfo m : d.metrics()) {
                Map<String, String> tags = m.tags().isEmpty() ? null : m.tags();
                sparks.add(client.call(new QueryMetrics(sessionId, m.name(), tags, null, null, null, BUCKETS)));
                totals.add(client.call(new QueryMetrics(sessionId, m.name(), tags, null, null, null, 1)));
            }
        }
        if (cove.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("session", d.session());
            m.put("state", d.state());
            m.put("events", d.events());
            m.put("metrics", d.metrics());
            m.put("series", sparks);
            cove.printJson(m);
            return ExitCodes.OK;
        }
        PrintWriter out = cove.out();
        SessionInfo s = d.session();
        out.printf("Session %s: %s%s, pid %d, %s%n", s.sessionId(), s.app(), s.version() == null ? "" : " " + s.version(),
                s.pid(), SessionsListCommand.status(s));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"  started", Format.time(s.startedAt())});
        if (s.endedAt() != null) {
            rows.add(new String[]{"  ended", Format.time(s.endedAt()) + (s.endReason() != null ? " (" + s.endReason() + ")" : "")});
        }
        rows.add(new String[]{"  last heartbeat", Format.ago(s.lastHeartbeat())});
        rows.add(new String[]{"  last seen", Format.ago(s.lastSeen())});
        if (s.hungSince() != null) {
            rows.add(new String[]{"  hung since", Format.time(s.hungSince())});
        }
        rows.add(new String[]{"  hang window", s.hangWindowMillis() == 0 ? "off" : Format.duration(s.hangWindowMillis())});
        if (!s.tags().isEmpty()) {
            rows.add(new String[]{"  tags", s.tags().toString()});
        }
        rows.add(new String[]{"  stored", s.events() + " events, " + s.metricPoints() + " metric points, " + s.calls() + " calls"});
        Format.table(out, rows);

        out.println();
        out.println("State (version " + s.stateVersion() + ")");
        if (d.state() == null || d.state().isEmpty()) {
            out.println("  (empty)");
        } else {
            tree(out, d.state(), "  ");
        }

        out.println();
        out.println("Events" + (d.events().isEmpty() ? "" : " (last " + d.events().size() + ", oldest first)"));
        if (d.events().isEmpty()) {
            out.println("  (none)");
        }
        for (SessionEvent e : d.events()) {
            out.println("  " + eventLine(e, false));
        }

        out.println();
        out.println("Metrics");
        if (d.metrics().isEmpty()) {
            out.println("  (none)");
        }
        List<String[]> mrows = new ArrayList<>();
        for (int i = 0; i < d.metrics().size(); i++) {
            MetricSeriesInfo m = d.metrics().get(i);
            MetricBucket all = totals.get(i).buckets().stream().filter(b -> b.count() > 0).findFirst().orElse(null);
            String unit = m.unit() == null || m.unit().isBlank() ? "" : " " + m.unit();
            String name = m.name() + (m.tags().isEmpty() ? "" : m.tags().toString());
            String stats = m.kind() == MetricKind.COUNTER
                    ? "sum " + num(m.sum()) + unit
                    : "min " + num(m.min()) + "  avg " + num(m.avg()) + "  max " + num(m.max())
                    + "  p95 " + (all == null || all.p95() == null ? "-" : num(all.p95())) + unit;
            mrows.add(new String[]{"  " + name, sparkline(sparks.get(i), m.kind()), stats,
                    m.count() + " points, last " + num(m.lastValue())});
        }
        Format.table(out, mrows);
        return ExitCodes.OK;
    }

    /** {@code 12:01:02.345 WARN  application_appears_hung  silentMillis=61000}; with the app and session for watch. */
    static String eventLine(SessionEvent e, boolean withSession) {
        StringBuilder sb = new StringBuilder();
        sb.append(Format.clock(e.time())).append(' ').append(String.format("%-5s", e.level().name())).append(' ');
        if (withSession) {
            sb.append(e.app()).append(' ').append(e.sessionId()).append(' ');
        }
        sb.append(e.name());
        if (e.data() != null) {
            for (Map.Entry<String, Object> f : e.data().entrySet()) {
                sb.append(' ').append(f.getKey()).append('=').append(value(f.getValue()));
            }
        }
        return sb.toString();
    }

    /** Nested maps as a tree; lists and scalars as values on their key's line. */
    @SuppressWarnings("unchecked")
    private static void tree(PrintWriter out, Map<String, Object> map, String indent) {
        Iterator<Map.Entry<String, Object>> it = map.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Object> e = it.next();
            boolean last = !it.hasNext();
            String branch = indent + (last ? "└─ " : "├─ ");
            if (e.getValue() instanceof Map<?, ?> child && !child.isEmpty()) {
                out.println(branch + e.getKey());
                tree(out, (Map<String, Object>) child, indent + (last ? "   " : "│  "));
            } else {
                out.println(branch + e.getKey() + ": " + value(e.getValue()));
            }
        }
    }

    private static String value(Object v) {
        if (v instanceof String s) {
            return s.isEmpty() || s.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '=') ? json(s) : s;
        }
        if (v instanceof Double || v instanceof Float) {
            return num(((Number) v).doubleValue());
        }
        return v instanceof Map || v instanceof List ? json(v) : String.valueOf(v);
    }

    private static String json(Object v) {
        try {
            return Json.MAPPER.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            return String.valueOf(v);
        }
    }

    static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.1f" : "%.3g", d);
    }

    /** One character per bucket, scaled from the lowest to the highest value; blank where a bucket is empty. */
    static String sparkline(MetricSeries series, MetricKind kind) {
        List<Double> values = new ArrayList<>();
        for (MetricBucket b : series.buckets()) {
            values.add(b.count() == 0 ? null : kind == MetricKind.COUNTER ? b.sum() : b.avg());
        }
        double lo = values.stream().filter(v -> v != null).mapToDouble(Double::doubleValue).min().orElse(0);
        double hi = values.stream().filter(v -> v != null).mapToDouble(Double::doubleValue).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (Double v : values) {
            if (v == null) {
                sb.append(' ');
            } else {
                int level = hi == lo ? 3 : (int) Math.round((v - lo) / (hi - lo) * (SPARKS.length - 1));
                sb.append(SPARKS[Math.max(0, Math.min(SPARKS.length - 1, level))]);
            }
        }
        return sb.toString();
    }
}
