package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.client.CoreClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Queries and mutations over HTTP against a real daemon: data, errors, status codes, limits, completeness. */
class GraphqlHttpTest {
    @RegisterExtension
    static final GraphqlRig rig = new GraphqlRig("gql-http");

    @Test
    void createsALibraryByMutationAndListsIt() {
        JsonNode created = rig.data("mutation($n: String!) { librariesCreate(name: $n) { id name createdAt locations } }",
                Map.of("n", "Photos")).path("librariesCreate");
        assertEquals("Photos", created.path("name").asText());
        assertEquals(0, created.path("locations").asInt());
        assertTrue(created.path("createdAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), created.toString());

        JsonNode libs = rig.data("{ librariesList { libraries { id name entries bytes } } }")
                .path("librariesList").path("libraries");
        assertTrue(libs.isArray());
        boolean found = false;
        for (JsonNode l : libs) {
            found |= l.path("id").asText().equals(created.path("id").asText()) && l.path("name").asText().equals("Photos");
        }
        assertTrue(found, "the new library is listed: " + libs);
    }

    @Test
    void pluginOperationsAreServedLikeBuiltInOnes() {
        JsonNode echoed = rig.data("{ testEcho(text: \"hi\", n: 7) { text n instance } }").path("testEcho");
        assertEquals("hi", echoed.path("text").asText());
        assertEquals(7, echoed.path("n").asInt());
        assertEquals("gql-http", echoed.path("instance").asText());
    }

    @Test
    void daemonErrorsCarryTheirCodeInExtensions() {
        GraphqlRig.Answer notFound = rig.post("{ librariesGet(library: \"no-such-library\") { id } }");
        assertEquals(200, notFound.status(), "an execution error is still a 200: " + notFound);
        assertTrue(notFound.json().path("data").has("librariesGet"), notFound.toString());
        assertTrue(notFound.data().path("librariesGet").isNull());
        assertEquals("NOT_FOUND", notFound.firstError().path("extensions").path("code").asText(), notFound.toString());
        assertEquals("librariesGet", notFound.firstError().path("path").path(0).asText());

        GraphqlRig.Answer invalid = rig.post("mutation { librariesCreate(name: \"  \") { id } }");
        assertEquals("INVALID_INPUT", invalid.firstError().path("extensions").path("code").asText(), invalid.toString());

        GraphqlRig.Answer failed = rig.post("mutation { testFail(message: \"boom\") { __typename } }");
        assertEquals("EXECUTION_ERROR", failed.firstError().path("extensions").path("code").asText(), failed.toString());

        // one failing field leaves the others of the same request intact
        GraphqlRig.Answer mixed = rig.post("{ a: librariesGet(library: \"nope\") { id } p: coreStatus { instance } }");
        assertEquals("gql-http", mixed.data().path("p").path("instance").asText(), mixed.toString());
        assertEquals("NOT_FOUND", mixed.firstError().path("extensions").path("code").asText());
    }

    /** Fails when an operation or event type the daemon registers has no field in the schema. */
    @Test
    void everyRegisteredOperationAndEventIsInTheSchema() {
        JsonNode methods;
        try (CoreClient c = rig.client()) {
            methods = c.callJson("query:core.methods.v1", null, GraphqlRig.WAIT);
        }
        Set<String> described = new HashSet<>();
        for (String root : List.of("Query", "Mutation", "Subscription")) {
            JsonNode type = rig.data("query($t: String!) { __type(name: $t) { fields { name description } } }",
                    Map.of("t", root)).path("__type");
            for (JsonNode f : type.path("fields")) {
                String d = f.path("description").asText();
                // each generated field's description starts with the method or event name in backquotes
                if (d.startsWith("`")) {
                    described.add(root + " " + d.substring(1, d.indexOf('`', 1)));
                }
            }
        }
        Set<String> missing = new TreeSet<>();
        Set<String> cliHost = new TreeSet<>();
        for (JsonNode m : methods.path("methods")) {
            String wire = m.path("method").asText();
            if (m.path("name").asText().startsWith("cli.")) {
                cliHost.add(wire); // the CLI host's: streamed parts for a terminal, which GraphQL cannot carry
                assertTrue(described.stream().noneMatch(d -> d.endsWith(" " + wire)), wire + " is in the schema");
                continue;
            }
            String root = wire.startsWith("action:") ? "Mutation" : "Query";
            if (!described.contains(root + " " + wire)) {
                missing.add(root + " " + wire);
            }
        }
        methods.path("events").fieldNames().forEachRemaining(e -> {
            if (!described.contains("Subscription " + e)) {
                missing.add("Subscription " + e);
            }
        });
        assertEquals(Set.of(), missing, "registered but missing from the GraphQL schema");
        assertEquals(Set.of("action:cli.run.input.v1", "action:cli.signal.input.v1", "action:cli.stdin.input.v1"),
                cliHost, "the CLI host's operations, left out of the schema");
        assertTrue(described.contains("Query query:test.echo.v1"), "the test plugin's query is there: " + described);
        assertTrue(methods.path("methods").size() > 30, "core.methods lists the daemon's operations");
    }

    @Test
    void namesReadLikeHandWrittenGraphql() {
        JsonNode q = rig.data("{ __type(name: \"Query\") { fields { name args { name type { kind name ofType { name } } } } } }");
        Set<String> fields = new TreeSet<>();
        q.path("__type").path("fields").forEach(f -> fields.add(f.path("name").asText()));
        assertTrue(fields.containsAll(Set.of("librariesList", "librariesGet", "filesSearch", "coreStatus", "jobsList",
                "testEcho", "_server")), fields.toString());
        JsonNode jobKind = rig.data("{ __type(name: \"JobKind\") { kind enumValues { name } } }").path("__type");
        assertEquals("ENUM", jobKind.path("kind").asText());
        JsonNode info = rig.data("{ __type(name: \"LibraryInfo\") { fields { name type { kind ofType { name } } } } }")
                .path("__type").path("fields");
        for (JsonNode f : info) {
            if (f.path("name").asText().equals("createdAt")) {
                assertEquals("NON_NULL", f.path("type").path("kind").asText());
                assertEquals("DateTime", f.path("type").path("ofType").path("name").asText());
            }
            if (f.path("name").asText().equals("bytes")) {
                assertEquals("Long", f.path("type").path("ofType").path("name").asText());
            }
        }
    }

    // ---- GraphQL over HTTP ----

    private HttpRequest.Builder to(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", rig.bearer());
    }

    private URI get(String query, String variables) {
        String q = rig.endpoint() + "?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + (variables == null ? "" : "&variables=" + URLEncoder.encode(variables, StandardCharsets.UTF_8));
        return URI.create(q);
    }

    @Test
    void getRunsQueriesButRefusesMutations() {
        GraphqlRig.Answer ok = rig.send(to(get("query($t: String!) { testEcho(text: $t, n: 1) { text } }", "{\"t\":\"g\"}"))
                .header("Accept", "application/graphql-response+json").GET().build());
        assertEquals(200, ok.status(), ok.toString());
        assertEquals("g", ok.data().path("testEcho").path("text").asText());
        assertTrue(ok.contentType().startsWith("application/graphql-response+json"), ok.contentType());

        GraphqlRig.Answer mutation = rig.send(to(get("mutation { librariesCreate(name: \"ViaGet\") { id } }", null))
                .header("Accept", "application/graphql-response+json").GET().build());
        assertEquals(405, mutation.status(), mutation.toString());
        JsonNode libs = rig.data("{ librariesList { libraries { name } } }");
        assertFalse(libs.toString().contains("ViaGet"), "the refused mutation did not run");
    }

    @Test
    void acceptHeaderChoosesTheMediaTypeAndTheStatusRules() {
        String bad = "{\"query\":\"{ noSuchField }\"}";
        GraphqlRig.Answer modern = rig.send(to(rig.endpoint()).header("Content-Type", "application/json")
                .header("Accept", "application/graphql-response+json").POST(HttpRequest.BodyPublishers.ofString(bad)).build());
        assertEquals(400, modern.status(), "validation error with graphql-response+json: " + modern);
        assertTrue(modern.contentType().startsWith("application/graphql-response+json"));
        assertTrue(modern.json().has("errors") && !modern.json().has("data"), modern.toString());

        GraphqlRig.Answer legacy = rig.send(to(rig.endpoint()).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(bad)).build());
        assertEquals(200, legacy.status(), "validation error with application/json: " + legacy);
        assertTrue(legacy.contentType().startsWith("application/json"));

        GraphqlRig.Answer noAccept = rig.send(to(rig.endpoint()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ _server { connected } }\"}")).build());
        assertEquals(200, noAccept.status());
        assertTrue(noAccept.contentType().startsWith("application/json"), noAccept.contentType());

        GraphqlRig.Answer preferJson = rig.send(to(rig.endpoint()).header("Content-Type", "application/json")
                .header("Accept", "application/graphql-response+json;q=0.5, application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ _server { connected } }\"}")).build());
        assertTrue(preferJson.contentType().startsWith("application/json"), preferJson.contentType());

        GraphqlRig.Answer none = rig.send(to(rig.endpoint()).header("Content-Type", "application/json")
                .header("Accept", "text/html").POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ _server { connected } }\"}")).build());
        assertEquals(406, none.status(), none.toString());

        GraphqlRig.Answer syntax = rig.post("{ unclosed ");
        assertEquals(400, syntax.status(), syntax.toString());
    }

    @Test
    void malformedRequestsGetTheirOwnStatus() {
        GraphqlRig.Answer text = rig.send(to(rig.endpoint()).header("Content-Type", "text/plain")
                .header("Accept", "application/graphql-response+json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ _server { connected } }\"}")).build());
        assertEquals(415, text.status(), text.toString());

        GraphqlRig.Answer notJson = rig.send(to(rig.endpoint()).header("Content-Type", "application/json")
                .header("Accept", "application/graphql-response+json").POST(HttpRequest.BodyPublishers.ofString("{nope")).build());
        assertEquals(400, notJson.status(), notJson.toString());

        GraphqlRig.Answer noQuery = rig.send(to(rig.endpoint()).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"variables\":{}}")).build());
        assertEquals(400, noQuery.status(), noQuery.toString());

        GraphqlRig.Answer put = rig.send(to(rig.endpoint()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ _server { connected } }\"}")).build());
        assertEquals(405, put.status(), put.toString());

        String huge = "{\"query\":\"{ _server { connected } }\",\"pad\":\"" + "x".repeat(2 << 20) + "\"}";
        // Expect: 100-continue lets the server refuse before the client sends the body
        GraphqlRig.Answer tooBig = rig.send(to(rig.endpoint()).header("Content-Type", "application/json").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString(huge)).build());
        assertEquals(413, tooBig.status(), tooBig.status() + " " + tooBig.contentType());

        GraphqlRig.Answer subscription = rig.post("subscription { logMessage { message } }");
        assertEquals(400, subscription.status(), "subscriptions need the WebSocket: " + subscription);
    }

    @Test
    void deepOrHugeQueriesAreRefusedNotRun() {
        // __type → fields → type → ofType → ofType ... nests as deep as we like
        StringBuilder deep = new StringBuilder("{ __type(name: \"Query\") { fields { type ");
        int levels = 14; // depth 17: over the limit of 15, under graphql-java's introspection cap of 20
        deep.append("{ ofType ".repeat(levels)).append("{ name }").append(" }".repeat(levels)).append(" } } }");
        GraphqlRig.Answer a = rig.post(deep.toString());
        assertEquals(400, a.status(), a.toString());
        assertTrue(a.firstError().path("message").asText().toLowerCase().contains("depth"), a.toString());

        // absurd nesting is stopped by the parser already
        GraphqlRig.Answer absurd = rig.post("{ _server " + "{ a ".repeat(400) + "}".repeat(401));
        assertEquals(400, absurd.status(), absurd.toString());

        // many aliased fields: within the body limit but over the complexity limit
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 6000; i++) {
            wide.append(" a").append(i).append(": _server { connected }");
        }
        GraphqlRig.Answer w = rig.post(wide.append(" }").toString());
        assertEquals(400, w.status(), w.status() + " " + w.text().substring(0, Math.min(300, w.text().length())));

        // and the server still answers
        assertTrue(rig.data("{ _server { connected } }").path("_server").path("connected").asBoolean());
    }

    @Test
    void serverReportsItsLink() {
        JsonNode s = rig.data("{ _server { connected instance socket daemonPid registry schemaBuiltAt reconnects } }")
                .path("_server");
        assertTrue(s.path("connected").asBoolean());
        assertEquals("gql-http", s.path("instance").asText());
        assertFalse(s.path("registry").asText().isEmpty());
    }
}
