package dev.cove.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cove.rpc.client.EventStream;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaPrinter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Naming and type mapping on a made-up core.methods answer with every awkward case in it. */
class SchemaFactoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String DESCRIPTION = """
            {"registry": "r1", "methods": [
              {"method": "query:files.list.v1", "inputType": "ListFiles",
               "inputSchema": {"type": "object", "x-java-type": "ListFiles", "properties": {"dir": {"type": "string"}},
                               "required": ["dir"]},
               "outputType": "Listing", "outputSchema": {"type": "object", "x-java-type": "Listing",
                 "properties": {"names": {"type": "array", "items": {"type": "string"}}}, "required": ["names"]}},
              {"method": "query:files_list.v1", "inputType": "Other", "inputSchema": {"type": "object", "properties": {}},
               "outputType": "Listing", "outputSchema": {"type": "object", "x-java-type": "Listing",
                 "properties": {"count": {"type": "integer", "format": "int32"}}}},
              {"method": "query:libraries.get.v1", "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}}},
               "outputSchema": {"type": "object", "x-java-type": "Lib", "properties": {"id": {"type": "string"}}}},
              {"method": "query:libraries.get.v2", "inputSchema": {"type": "object",
                 "properties": {"id": {"type": "string"}, "deep": {"type": "boolean"}, "since": {"type": "string", "format": "date-time"},
                                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                                "kind": {"type": "string", "enum": ["A", "B"], "x-java-type": "Change"}},
                 "required": ["id", "deep"]},
               "outputSchema": {"type": "object", "x-java-type": "Tree", "properties": {
                 "name": {"type": "string"}, "size": {"type": "integer", "format": "int64"},
                 "children": {"type": "array", "items": {"type": "object", "x-java-type": "Tree", "x-recursive": true}},
                 "any": {}, "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
                 "required": ["name", "children"]}},
              {"method": "action:things.do-it.input.v1", "inputSchema": {"type": "object", "properties": {}},
               "outputSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}},
              {"method": "not-a-method", "inputSchema": {}, "outputSchema": {}}
            ],
            "events": {
              "ThingChanged": {"type": "object", "x-java-type": "ThingChanged", "properties": {
                 "thingId": {"type": "string"}, "change": {"type": "string", "enum": ["X", "Y", "Z"], "x-java-type": "Change"},
                 "bytes": {"type": "integer", "format": "int64"}, "time": {"type": "string", "format": "date-time"}},
                 "required": ["thingId", "change", "bytes", "time"]}
            }}
            """;

    private static final Daemon NO_DAEMON = new Daemon() {
        @Override
        public JsonNode call(String method, JsonNode payload) {
            throw new UnsupportedOperationException();
        }

        @Override
        public EventStream subscribe(List<String> eventTypes, Map<String, String> filter) {
            throw new UnsupportedOperationException();
        }
    };

    private static String sdl() throws Exception {
        CoveSchema s = SchemaFactory.build(JSON.readTree(DESCRIPTION), NO_DAEMON, Runnable::run, Map::of);
        GraphQLSchema schema = s.schema();
        return new SchemaPrinter(SchemaPrinter.Options.defaultOptions()).print(schema);
    }

    @Test
    void namesFollowTheDocumentedRules() throws Exception {
        String sdl = sdl();
        // files.list and files_list both fold to filesList: both get escaped names instead
        assertTrue(sdl.contains("files__list(dir: String!): Files__listListing"), sdl);
        assertTrue(sdl.contains("files_list: Files_listListing"), sdl);
        // v1 keeps the plain name and is deprecated in favour of v2
        assertTrue(sdl.contains("librariesGet(id: String): Lib @deprecated(reason : \"version 2 exists: use librariesGetV2\")")
                || sdl.contains("librariesGet(id: String): Lib @deprecated(reason: \"version 2 exists: use librariesGetV2\")"), sdl);
        assertTrue(sdl.contains("librariesGetV2("), sdl);
        // dashes and dots become camelCase
        assertTrue(sdl.contains("thingsDoIt: ThingsDoItResult"), sdl);
        // a method string off the convention is left out, not fatal
        assertTrue(!sdl.contains("notAMethod"), sdl);
    }

    @Test
    void typesReadLikeHandWrittenGraphql() throws Exception {
        String sdl = sdl();
        // two different enums called Change: both qualified by their owner
        assertTrue(sdl.contains("enum LibrariesGetV2Change") || sdl.contains("enum ThingChangedChange"), sdl);
        assertTrue(sdl.contains("enum ThingChangedChange {\n  X\n  Y\n  Z\n}"), sdl);
        // two different records called Listing: each qualified by the field that returns it
        assertTrue(sdl.contains("type Files__listListing {") && sdl.contains("type Files_listListing {"), sdl);
        assertTrue(sdl.contains("enum LibrariesGetV2Change {\n  A\n  B\n}"), sdl);
        // recursion, 64-bit integers, required fields, JSON for maps, free values and unions
        assertTrue(sdl.contains("children: [Tree!]!"), sdl);
        assertTrue(sdl.contains("size: Long"), sdl);
        assertTrue(sdl.contains("name: String!"), sdl);
        assertTrue(sdl.contains("any: JSON") && sdl.contains("either: JSON"), sdl);
        // a required boolean argument defaults to false; a map argument is JSON; a date-time is DateTime
        assertTrue(sdl.contains("deep: Boolean! = false"), sdl);
        assertTrue(sdl.contains("tags: JSON"), sdl);
        assertTrue(sdl.contains("since: DateTime"), sdl);
    }

    @Test
    void eventsBecomeSubscriptionsWithFilterArguments() throws Exception {
        GraphQLSchema schema = SchemaFactory.build(JSON.readTree(DESCRIPTION), NO_DAEMON, Runnable::run, Map::of).schema();
        var field = schema.getSubscriptionType().getFieldDefinition("thingChanged");
        assertEquals("ThingChanged!", graphql.schema.GraphQLTypeUtil.simplePrint(field.getType()));
        assertEquals(List.of("change", "thingId"), field.getArguments().stream().map(a -> a.getName()).sorted().toList(),
                "enums and ids filter; byte counts and times do not");
        assertEquals("ThingChangedChange", graphql.schema.GraphQLTypeUtil.simplePrint(field.getArgument("change").getType()));
    }
}
