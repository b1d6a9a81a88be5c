package dev.cove.cli.commands.sessions;

import dev.cove.api.sessions.ListSessions;
import dev.cove.api.sessions.SessionInfo;
import dev.cove.api.sessions.SessionList;
import dev.cove.cli.Args;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "list", aliases = "ls", description = {
        "List sessions, newest first. Status flags combine (--hung --crashed lists both); none lists every status.",
        "--since takes 2026-01-01, 2026-01-01T09:30 or a duration back from now: 30m, 12h, 7d."})
public final class SessionsListCommand implements Callable<Integer> {
    @ParentCommand
    SessionsCommand parent;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--active", description = "Running: active or hung.")
    boolean active;

    @Option(names = "--hung", description = "Silent for longer than their hang window.")
    boolean hung;

    @Option(names = "--crashed", description = "Whose process died without ending the session.")
    boolean crashed;

    @Option(names = "--ended", description = "Ended by the application.")
    boolean ended;

    @Option(names = "--app", paramLabel = "NAME", description = "Only this application.")
    String app;

    @Option(names = "--since", paramLabel = "TIME", converter = Args.TimeConverter.class,
            description = "Only sessions alive at some point since TIME.")
    Instant since;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "At most N sessions, 1 to 10000 (default: 100).")
    Integer limit;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        if (limit != null && (limit < 1 || limit > 10_000)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be between 1 and 10000");
        }
        SessionList list;
        try (CoreClient client = cove.client()) {
            list = client.call(new ListSessions(app, flag(active), flag(hung), flag(crashed), flag(ended), since, limit));
        }
        if (cove.json()) {
            cove.printJson(list);
            return ExitCodes.OK;
        }
        if (list.sessions().isEmpty()) {
            cove.out().println("No sessions");
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"ID", "APP", "VERSION", "PID", "STATUS", "STARTED", "LAST SEEN", "EVENTS", "POINTS"});
        for (SessionInfo s : list.sessions()) {
            rows.add(new String[]{s.sessionId(), s.app(), s.version() == null ? "-" : s.version(), Long.toString(s.pid()),
                    status(s), Format.time(s.startedAt()), Format.ago(s.lastSeen()), Long.toString(s.events()),
                    Long.toString(s.metricPoints())});
        }
        Format.table(cove.out(), rows);
        return ExitCodes.OK;
    }

    static String status(SessionInfo s) {
        String st = s.status().name().toLowerCase(Locale.ROOT);
        return s.exitStatus() != null ? st + " (" + s.exitStatus() + ")" : st;
    }

    private static Boolean flag(boolean b) {
        return b ? Boolean.TRUE : null;
    }
}
