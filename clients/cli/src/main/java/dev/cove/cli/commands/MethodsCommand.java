package dev.cove.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "methods", description = {
        "List the daemon's operations: method, kind, input type -> output type.",
        "With METHOD, show that operation's input and output JSON Schemas. --json prints everything core.methods says."})
public final class MethodsCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Parameters(arity = "0..1", paramLabel = "METHOD",
            description = "A method (query:core.status.v1) or operation name (core.status) to describe.")
    String method;

    @Override
    public Integer call() {
        JsonNode all;
        try (CoreClient client = cove.client()) {
            all = client.callJson("query:core.methods.v1", null, Duration.ofSeconds(30));
        }
        if (method != null) {
            describe(find(all.path("methods")));
        } else if (cove.json()) {
            cove.printJson(all);
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"METHOD", "KIND", "INPUT -> OUTPUT"});
            for (JsonNode m : all.path("methods")) {
                rows.add(new String[]{m.path("method").asText(), m.path("kind").asText().toLowerCase(),
                        m.path("inputType").asText() + " -> " + m.path("outputType").asText()});
            }
            rows.subList(1, rows.size()).sort((a, b) -> a[0].compareTo(b[0]));
            Format.table(cove.out(), rows);
        }
        return ExitCodes.OK;
    }

    private JsonNode find(JsonNode methods) {
        List<JsonNode> byName = new ArrayList<>();
        for (JsonNode m : methods) {
            if (m.path("method").asText().equals(method)) {
                return m;
            }
            if (m.path("name").asText().equals(method)) {
                byName.add(m);
            }
        }
        if (byName.size() == 1) {
            return byName.get(0);
        }
        if (byName.size() > 1) {
            throw new CliException(ExitCodes.ERROR, "'" + method + "' has several versions; name one of "
                    + byName.stream().map(m -> m.path("method").asText()).toList());
        }
        throw new CliException(ExitCodes.ERROR, "the daemon has no method '" + method + "'; `"
                + cove.command("methods") + "` lists them");
    }

    private void describe(JsonNode m) {
        if (cove.json()) {
            cove.printJson(m);
            return;
        }
        PrintWriter out = cove.out();
        out.println(m.path("method").asText() + "  (" + m.path("kind").asText().toLowerCase() + ", handled by "
                + m.path("handler").asText() + ")");
        out.println();
        out.println("input: " + m.path("inputType").asText());
        cove.printJson(m.path("inputSchema"));
        out.println();
        out.println("output: " + m.path("outputType").asText());
        cove.printJson(m.path("outputSchema"));
    }
}
