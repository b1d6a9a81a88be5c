package dev.cove.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "events", description = {
        "Stream the daemon's events until Ctrl-C or the daemon stops: one line per event, or JSON lines with --json.",
        "Types: LogMessage, ClientConnected, ClientDisconnected, and more as operations are added (see `cove methods --json`).",
        "Example: cove events --type LogMessage --filter level=warn"})
public final class EventsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @ParentCommand
    CoveCli cove;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "An event type to receive; repeat for more. Default: all.")
    List<String> types = new ArrayList<>();

    @Option(names = "--filter", paramLabel = "KEY=VALUE",
            description = "Only events whose field KEY equals VALUE (level is a minimum, target a prefix); repeatable.")
    Map<String, String> filter = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = cove.out();
        try (CoreClient client = cove.client();
             EventStream stream = client.subscribe(types, new EventFilter(filter))) {
            while (true) {
                StreamItem item = stream.next();
                if (item instanceof StreamItem.Ended e) {
                    cove.err().println("cove: the event stream ended: " + e.reason());
                    return ExitCodes.OK;
                }
                out.println(cove.json() ? json(item) : human(item));
                if (out.checkError()) {
                    return ExitCodes.OK; // the reader went away (`cove events | head`)
                }
            }
        }
    }

    private static String json(StreamItem item) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (item) {
            case StreamItem.Delivered d -> {
                m.put("seq", d.seq());
                m.put("type", d.type());
                m.put("event", d.event());
            }
            case StreamItem.Lagged l -> {
                m.put("lagged", l.missed());
                m.put("seq", l.seq());
            }
            case StreamItem.Ended e -> m.put("ended", e.reason());
        }
        try {
            return Json.MAPPER.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCodes.ERROR, "cannot print an event as JSON: " + e.getOriginalMessage());
        }
    }

    /** {@code 12:01:02.345 #7 ClientConnected name=cove-cli pid=4242 ...}: the time first, then every field. */
    private static String human(StreamItem item) {
        if (item instanceof StreamItem.Lagged l) {
            return "! missed " + l.missed() + " events (" + (l.local() ? "this terminal" : "the daemon's queue for this "
                    + "client") + " could not keep up)";
        }
        StreamItem.Delivered d = (StreamItem.Delivered) item;
        JsonNode event = Json.MAPPER.valueToTree(d.event());
        StringBuilder sb = new StringBuilder();
        String time = event.path("time").asText(null);
        sb.append(time == null ? TIME.format(Instant.now().atZone(ZoneId.systemDefault())) : localTime(time));
        sb.append(" #").append(d.seq()).append(' ').append(d.type());
        if (event instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("time") || f.getValue().isNull()) {
                    continue;
                }
                sb.append(' ').append(f.getKey()).append('=').append(value(f.getValue()));
            }
        }
        return sb.toString();
    }

    private static String localTime(String iso) {
        try {
            return TIME.format(Instant.parse(iso).atZone(ZoneId.systemDefault()));
        } catch (RuntimeException e) {
            return iso;
        }
    }

    private static String value(JsonNode v) {
        if (!v.isTextual()) {
            return v.toString();
        }
        String s = v.asText();
        return s.isEmpty() || s.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '=')
                ? v.toString() : s;
    }
}
