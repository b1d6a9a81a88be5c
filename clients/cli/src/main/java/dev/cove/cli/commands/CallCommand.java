package dev.cove.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.MethodName;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.codec.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "call", description = {
        "Call any operation with a JSON payload and print the JSON result.",
        "Example: cove call action:core.shutdown.input.v1 '{\"reason\":\"maintenance\"}'",
        "A payload that is not valid JSON is a usage error (exit status 2); one the daemon refuses is exit status 1."})
public final class CallCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "METHOD", description = "e.g. query:core.status.v1 (see `cove methods`).")
    String method;

    @Parameters(index = "1", arity = "0..1", paramLabel = "JSON",
            description = "The payload; '-' reads it from standard input. Default: {}.")
    String payload;

    @Option(names = "--payload-file", paramLabel = "FILE", description = "Read the payload from FILE ('-' for stdin).")
    Path payloadFile;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long the call may take (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Override
    public Integer call() {
        try {
            MethodName.parse(method);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        JsonNode input = parse(readPayload());
        JsonNode result;
        try (CoreClient client = cove.client()) {
            result = client.callJson(method, input, Duration.ofMillis((long) (timeoutSeconds * 1000)));
        }
        cove.printJson(result);
        return ExitCodes.OK;
    }

    private String readPayload() {
        if (payload != null && payloadFile != null) {
            throw new ParameterException(spec.commandLine(), "give the payload as an argument or with --payload-file, "
                    + "not both");
        }
        try {
            if ("-".equals(payload) || (payloadFile != null && payloadFile.toString().equals("-"))) {
                return new String(cove.context().stdin().readAllBytes(), StandardCharsets.UTF_8);
            }
            if (payloadFile != null) {
                return Files.readString(cove.path(payloadFile));
            }
        } catch (NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), "the payload file " + payloadFile + " does not exist");
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read the payload: " + e.getMessage());
        }
        return payload;
    }

    private JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (StreamConstraintsException e) {
            // the same limits the daemon applies (Json.MAPPER is its configuration): sending would only get BAD_FRAME
            String why = String.valueOf(e.getOriginalMessage()).contains("nesting depth")
                    ? "nests deeper than " + Json.MAX_NESTING + " levels, the most the daemon reads"
                    : "is over a limit the daemon applies: " + e.getOriginalMessage();
            throw new ParameterException(spec.commandLine(), "the payload " + why + "; nothing was sent");
        } catch (JsonProcessingException e) {
            // the location is missing for some refusals; never let reporting the error fail in its turn
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new ParameterException(spec.commandLine(), "the payload is not valid JSON: "
                    + e.getOriginalMessage() + (at == null ? "" : " (line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ")"));
        }
    }
}
