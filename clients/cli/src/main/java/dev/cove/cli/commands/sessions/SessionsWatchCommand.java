package dev.cove.cli.commands.sessions;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cove.api.events.LogLevel;
import dev.cove.api.events.SessionEvent;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.rpc.codec.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "watch", description = {
        "Print session events live (registered, ended, hung, recovered, crashed, state changes and the apps' own events) "
                + "until Ctrl-C or the daemon stops. JSON lines with --json."})
public final class SessionsWatchCommand implements Callable<Integer> {
    @ParentCommand
    SessionsCommand parent;

    @Option(names = "--app", paramLabel = "NAME", description = "Only this application.")
    String app;

    @Option(names = "--session", paramLabel = "ID", description = "Only this session.")
    String session;

    @Option(names = "--level", paramLabel = "LEVEL", description = "Minimum level: trace, debug, info, warn, error.")
    LogLevel level;

    @Override
    public Integer call() throws InterruptedException {
        CoveCli cove = parent.cove();
        PrintWriter out = cove.out();
        EventFilter filter = EventFilter.of("app", app, "sessionId", session,
                "level", level == null ? null : level.name().toLowerCase(Locale.ROOT));
        try (CoreClient client = cove.client();
             EventStream stream = client.subscribe(filter, SessionEvent.class)) {
            while (true) {
                StreamItem item = stream.next();
                switch (item) {
                    case StreamItem.Delivered d when d.event() instanceof SessionEvent e -> out.println(cove.json()
                            ? json(e) : SessionsShowCommand.eventLine(e, true));
                    case StreamItem.Delivered d -> out.println(d.event());
                    case StreamItem.Lagged l -> cove.err().println("cove: missed " + l.missed() + " session events (the "
                            + (l.local() ? "terminal" : "daemon's queue for this client") + " could not keep up)");
                    case StreamItem.Ended e -> {
                        cove.err().println("cove: the session event stream ended: " + e.reason());
                        return ExitCodes.OK;
                    }
                }
                if (out.checkError()) {
                    return ExitCodes.OK;
                }
            }
        }
    }

    private static String json(SessionEvent e) {
        try {
            return Json.MAPPER.writeValueAsString(e);
        } catch (JsonProcessingException x) {
            throw new CliException(ExitCodes.ERROR, "cannot print an event as JSON: " + x.getOriginalMessage());
        }
    }
}
