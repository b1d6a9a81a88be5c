package dev.cove.cli.commands;

import dev.cove.api.events.LogLevel;
import dev.cove.api.events.LogMessage;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.LogFile;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.rpc.instance.InstancePaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "logs", description = {
        "Show the end of the daemon's log file (it need not be running), or follow its log live.",
        "--level is a minimum (warn shows warn and error); --target matches a logger and all below it (rpc, daemon.ops)."})
public final class LogsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    @ParentCommand
    CoveCli cove;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "50",
            description = "How many entries to show from the file (default: ${DEFAULT-VALUE}); a stack trace counts as part of its entry.")
    int lines;

    @Option(names = {"-f", "--follow"}, description = "Stream new log lines from the daemon until Ctrl-C or it stops.")
    boolean follow;

    @Option(names = "--level", paramLabel = "LEVEL", description = "Minimum level: trace, debug, info, warn, error. "
            + "With --follow, debug and trace make the daemon produce those lines while you watch.")
    LogLevel level;

    @Option(names = "--target", paramLabel = "TARGET", description = "Logger name without dev.cove., e.g. rpc or daemon.ops.core.")
    String target;

    @Override
    public Integer call() throws IOException, InterruptedException {
        return follow ? follow() : printFile();
    }

    private int printFile() throws IOException {
        InstancePaths paths = cove.paths();
        List<LogFile.Entry> entries;
        try {
            entries = LogFile.tail(paths.logFile(), lines, e -> e.matches(level, target));
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.ERROR, "there is no log file at " + paths.logFile() + ": no daemon has run "
                    + "for instance '" + paths.instance() + "' with this data folder yet. Start one with `"
                    + cove.command("start") + "`");
        }
        PrintWriter out = cove.out();
        for (LogFile.Entry e : entries) {
            if (cove.json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("time", e.time());
                m.put("level", e.level());
                m.put("target", e.target());
                m.put("thread", e.thread());
                m.put("message", e.message());
                m.put("error", e.lines().size() > 1 ? String.join("\n", e.lines().subList(1, e.lines().size())) : null);
                out.println(dev.cove.rpc.codec.Json.MAPPER.writeValueAsString(m));
            } else {
                e.lines().forEach(out::println);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private int follow() throws InterruptedException {
        EventFilter filter = EventFilter.of("level", level == null ? null : level.name().toLowerCase(Locale.ROOT),
                "target", target);
        PrintWriter out = cove.out();
        try (CoreClient client = cove.client();
             EventStream stream = client.subscribe(filter, LogMessage.class)) {
            while (true) {
                StreamItem item = stream.next();
                switch (item) {
                    case StreamItem.Delivered d when d.event() instanceof LogMessage m -> out.println(format(m));
                    case StreamItem.Delivered d -> out.println(d.event());
                    case StreamItem.Lagged l -> cove.err().println("cove: missed " + l.missed() + " log lines (the "
                            + (l.local() ? "terminal" : "daemon's queue for this client") + " could not keep up)");
                    case StreamItem.Ended e -> {
                        cove.err().println("cove: the log stream ended: " + e.reason());
                        return ExitCodes.OK;
                    }
                }
                if (out.checkError()) {
                    return ExitCodes.OK; // the reader went away (`cove logs -f | head`)
                }
            }
        }
    }

    /** The daemon's file pattern: TIME LEVEL [THREAD] TARGET - MESSAGE, then the error if any. */
    private String format(LogMessage m) {
        if (cove.json()) {
            try {
                return dev.cove.rpc.codec.Json.MAPPER.writeValueAsString(m);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new CliException(ExitCodes.ERROR, "cannot print a log line as JSON: " + e.getOriginalMessage());
            }
        }
        String line = TIME.format(m.time().atZone(ZoneId.systemDefault())) + " " + String.format("%-5s", m.level())
                + " [" + m.thread() + "] " + m.target() + " - " + m.message();
        return m.error() == null ? line : line + System.lineSeparator() + m.error();
    }
}
