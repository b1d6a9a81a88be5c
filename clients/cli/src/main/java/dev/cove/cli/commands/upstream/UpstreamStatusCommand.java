package dev.cove.cli.commands.upstream;

import dev.cove.api.Plural;
import dev.cove.api.upstream.GetUpstreamStatus;
import dev.cove.api.upstream.UpstreamStatus;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "status", description = {
        "Endpoint, state, backlog (records, bytes, oldest age), drops, last success and last error with its cause.",
        "Exits with status 1 while forwarding is failing."})
public final class UpstreamStatusCommand implements Callable<Integer> {
    @ParentCommand
    UpstreamCommand parent;

    @Override
    public Integer call() {
        UpstreamStatus s;
        try (CoreClient client = parent.cove.client()) {
            s = client.call(new GetUpstreamStatus());
        }
        if (parent.cove.json()) {
            parent.cove.printJson(s);
        } else {
            PrintWriter out = parent.cove.out();
            if (UpstreamStatus.OFF.equals(s.state())) {
                out.println("Forwarding is off: no OTEL_EXPORTER_OTLP_ENDPOINT is set for the daemon (environment or "
                        + "its --config file; see docs/sessions.md).");
                return ExitCodes.OK;
            }
            out.println("Forwarding sessions to " + s.endpoint() + " (" + s.protocol() + ")");
            Format.table(out, rows(s));
        }
        return UpstreamStatus.FAILING.equals(s.state()) ? ExitCodes.ERROR : ExitCodes.OK;
    }

    /** The status as table rows; {@code cove status} shows the first few. */
    public static List<String[]> rows(UpstreamStatus s) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("state", s.state()));
        rows.add(row("backlog", backlog(s)));
        rows.add(row("bound", s.maxRecords() + " records, " + Format.bytes(s.maxBytes()) + ", "
                + Format.duration(s.maxAgeMillis())));
        rows.add(row("dropped", s.droppedRecords() == 0 ? "none" : s.droppedRecords() + " records (" + s.droppedPoints()
                + " metric points, " + s.droppedEvents() + " events, " + s.droppedStates() + " state changes)"));
        rows.add(row("sent", s.sentPoints() + " metric points, " + s.sentLogRecords() + " log records in " + s.requests()
                + " requests (" + s.failedRequests() + " failed) since the daemon started"));
        rows.add(row("last success", s.lastSuccess() == null ? "none since the daemon started"
                : Format.time(s.lastSuccess()) + " (" + Format.ago(s.lastSuccess()) + ")"));
        rows.add(row("last error", s.lastError() == null ? "none" : s.lastError() + " at " + Format.time(s.lastErrorAt())));
        rows.add(row("host", s.hostName() + " (host.id " + s.hostId() + ")"));
        return rows;
    }

    public static String backlog(UpstreamStatus s) {
        return Plural.of(s.backlogRecords(), "record") + ", " + Format.bytes(s.backlogBytes())
                + (s.oldestAgeMillis() == null ? "" : ", the oldest from " + Format.duration(s.oldestAgeMillis()) + " ago");
    }

    private static String[] row(String name, String value) {
        return new String[]{"  " + name, value};
    }
}
