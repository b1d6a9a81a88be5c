package dev.cove.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.codec.Json;
import graphql.GraphqlErrorBuilder;
import graphql.Scalars;
import graphql.execution.DataFetcherResult;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLArgument;
import graphql.schema.GraphQLCodeRegistry;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLInputObjectField;
import graphql.schema.GraphQLInputObjectType;
import graphql.schema.GraphQLInputType;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLOutputType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Turns the daemon's description of itself ({@code query:core.methods.v1}: every method with JSON
 * Schemas of its input and output, every event type with its schema) into a GraphQL schema. Nothing
 * here knows any Cove operation by name, so plugins' operations appear like built-in ones.
 *
 * <ul>
 *   <li>queries → {@code Query}, actions → {@code Mutation}, event types → {@code Subscription};</li>
 *   <li>a method's input record is flattened into the field's arguments; its output record is the
 *       field's type;</li>
 *   <li>records become object types (inputs: {@code <Name>Input}) named by {@code x-java-type}; enums
 *       become enums; {@code int64} is {@code Long}, {@code date-time} is {@code DateTime}; maps,
 *       free-form values and sealed unions are {@code JSON};</li>
 *   <li>a required component is non-null; a required boolean argument defaults to false (it is a
 *       Java primitive, which cannot be absent);</li>
 *   <li>root fields are nullable, so one failed call leaves the other fields of a request intact.</li>
 * </ul>
 * See docs/graphql.md for the naming rules.
 */
final class SchemaFactory {
    private static final Logger log = LoggerFactory.getLogger(SchemaFactory.class);
    static final String METHODS = "query:core.methods.v1";

    /**
     * The operations that host the CLI for the native {@code cove} client (cli.run, cli.stdin, cli.signal): they
     * answer in streamed parts and act on a terminal's behalf, which a GraphQL field can do neither of.
     */
    static final String CLI_HOST = "cli.";
    /** The input component naming a library, which queries may leave to the CLI's default library. */
    private static final String LIBRARY = "library";
    /** Names this server defines itself, which no generated type may take. */
    private static final Set<String> RESERVED = Set.of("Query", "Mutation", "Subscription", "String", "Int", "Float",
            "Boolean", "ID", "Long", "DateTime", "JSON", "GraphqlServer");

    private final Daemon daemon;
    private final Executor executor;
    private final Supplier<Map<String, Object>> serverInfo;
    /** Distinct shapes seen per x-java-type: a name with more than one is qualified by its owner. */
    private final Map<String, Set<String>> shapes = new HashMap<>();
    /** Claimed GraphQL type names → the shape key that owns them. */
    private final Map<String, String> claimed = new HashMap<>();
    private final Map<String, String> nameByShape = new HashMap<>();
    private final Map<String, GraphQLType> built = new HashMap<>();
    /** Records being built (java type → GraphQL name), for self-references ({@code x-recursive}). */
    private final Deque<Map.Entry<String, String>> inProgress = new ArrayDeque<>();
    private final GraphQLCodeRegistry.Builder code = GraphQLCodeRegistry.newCodeRegistry();

    private SchemaFactory(Daemon daemon, Executor executor, Supplier<Map<String, Object>> serverInfo) {
        this.daemon = daemon;
        this.executor = executor;
        this.serverInfo = serverInfo;
    }

    /** The schema for a daemon's {@code core.methods} answer. */
    static CoveSchema build(JsonNode description, Daemon daemon, Executor executor,
                            Supplier<Map<String, Object>> serverInfo) {
        return new SchemaFactory(daemon, executor, serverInfo).build(description);
    }

    /** The schema served before any daemon answered: only {@code _server}. */
    static CoveSchema placeholder(Supplier<Map<String, Object>> serverInfo) {
        SchemaFactory f = new SchemaFactory(null, Runnable::run, serverInfo);
        GraphQLObjectType.Builder query = GraphQLObjectType.newObject().name("Query")
                .description("No Cove daemon has answered yet: only _server is available.");
        f.addServerField(query);
        return new CoveSchema(GraphQLSchema.newSchema().query(query).codeRegistry(f.code.build()).build(), List.of(),
                "", Instant.now());
    }

    private CoveSchema build(JsonNode description) {
        TreeMap<String, JsonNode> methods = new TreeMap<>();
        description.path("methods").forEach(m -> {
            if (!m.path("name").asText().startsWith(CLI_HOST)) {
                methods.put(m.path("method").asText(), m);
            }
        });
        TreeMap<String, JsonNode> events = new TreeMap<>();
        description.path("events").properties().forEach(e -> events.put(e.getKey(), e.getValue()));

        methods.values().forEach(m -> {
            collectShapes(m.path("inputSchema"));
            collectShapes(m.path("outputSchema"));
        });
        events.values().forEach(this::collectShapes);

        List<CoveSchema.Operation> ops = new ArrayList<>();
        GraphQLObjectType.Builder query = GraphQLObjectType.newObject().name("Query")
                .description("Every query the Cove daemon offers (generated from core.methods).");
        GraphQLObjectType.Builder mutation = GraphQLObjectType.newObject().name("Mutation")
                .description("Every action the Cove daemon offers (generated from core.methods).");
        addServerField(query);
        int[] counts = new int[2];

        // which methods share a field name, and which have later versions
        Map<String, List<Names.MethodName>> byField = new HashMap<>();
        Map<String, Integer> latest = new HashMap<>();
        for (String wire : methods.keySet()) {
            Names.MethodName mn = Names.MethodName.parse(wire);
            if (mn == null) {
                continue;
            }
            byField.computeIfAbsent(mn.kind() + "/" + mn.field(), k -> new ArrayList<>()).add(mn);
            latest.merge(mn.kind() + "/" + mn.name(), mn.version(), Math::max);
        }
        for (Map.Entry<String, JsonNode> e : methods.entrySet()) {
            String wire = e.getKey();
            Names.MethodName mn = Names.MethodName.parse(wire);
            if (mn == null) {
                log.warn("method {} does not follow the kind:name.vN convention; it is left out of the schema", wire);
                continue;
            }
            boolean clash = byField.get(mn.kind() + "/" + mn.field()).size() > 1;
            if (clash) {
                log.warn("methods {} fold to the same GraphQL field '{}'; they are served as escaped names instead",
                        byField.get(mn.kind() + "/" + mn.field()), mn.field());
            }
            String field = clash ? Names.escaped(mn) : mn.field();
            int newest = latest.get(mn.kind() + "/" + mn.name());
            String deprecation = null;
            if (newest > mn.version()) {
                Names.MethodName next = new Names.MethodName(mn.kind(), mn.name(), newest);
                deprecation = "version " + newest + " exists: use " + next.field();
            }
            GraphQLFieldDefinition def;
            try {
                def = methodField(field, wire, e.getValue(), deprecation);
            } catch (RuntimeException ex) {
                // one operation GraphQL cannot express must not take the others down with it
                log.warn("method {} is left out of the schema: {}", wire, ex.toString());
                continue;
            }
            boolean isQuery = mn.kind().equals("query");
            (isQuery ? query : mutation).field(def);
            code.dataFetcher(FieldCoordinates.coordinates(isQuery ? "Query" : "Mutation", field),
                    callFetcher(wire, e.getValue().path("inputSchema")));
            ops.add(new CoveSchema.Operation(isQuery ? "Query" : "Mutation", field, wire));
            counts[isQuery ? 0 : 1]++;
        }

        GraphQLObjectType.Builder subscription = GraphQLObjectType.newObject().name("Subscription")
                .description("Every event type the Cove daemon publishes, with the daemon's subscription filters.");
        int subs = 0;
        Map<String, GraphQLObjectType> eventTypes = new LinkedHashMap<>();
        Map<String, GraphQLArgument> sharedFilters = new LinkedHashMap<>();
        Set<String> conflicting = new java.util.HashSet<>();
        for (Map.Entry<String, JsonNode> e : events.entrySet()) {
            String field = Names.valid(Names.lowerFirst(e.getKey()));
            GraphQLFieldDefinition def = eventField(field, e.getKey(), e.getValue());
            subscription.field(def);
            ops.add(new CoveSchema.Operation("Subscription", field, e.getKey()));
            subs++;
            if (graphql.schema.GraphQLTypeUtil.unwrapNonNull(def.getType()) instanceof GraphQLObjectType t) {
                eventTypes.put(e.getKey(), t);
            }
            for (GraphQLArgument a : def.getArguments()) {
                GraphQLArgument seen = sharedFilters.putIfAbsent(a.getName(), a);
                if (seen != null && !graphql.schema.GraphQLTypeUtil.simplePrint(seen.getType())
                        .equals(graphql.schema.GraphQLTypeUtil.simplePrint(a.getType()))) {
                    conflicting.add(a.getName());
                }
            }
        }
        conflicting.forEach(sharedFilters::remove);
        if (eventTypes.size() > 1 && !events.containsKey("Events") && !events.containsKey("events")) {
            subscription.field(allEventsField(eventTypes, sharedFilters.values()));
        }

        GraphQLSchema.Builder schema = GraphQLSchema.newSchema().query(query.build());
        if (counts[1] > 0) {
            schema.mutation(mutation.build());
        }
        if (subs > 0) {
            schema.subscription(subscription.build());
        }
        schema.codeRegistry(code.build());
        return new CoveSchema(schema.build(), List.copyOf(ops), description.path("registry").asText(""), Instant.now());
    }

    // ---- root fields ----

    private void addServerField(GraphQLObjectType.Builder query) {
        GraphQLObjectType info = GraphQLObjectType.newObject().name("GraphqlServer")
                .description("This GraphQL server and its link to the daemon.")
                .field(f -> f.name("connected").type(GraphQLNonNull.nonNull(Scalars.GraphQLBoolean))
                        .description("Whether the server is connected to the daemon right now."))
                .field(f -> f.name("instance").type(GraphQLNonNull.nonNull(Scalars.GraphQLString)))
                .field(f -> f.name("socket").type(GraphQLNonNull.nonNull(Scalars.GraphQLString)))
                .field(f -> f.name("daemonPid").type(dev.cove.graphql.Scalars.LONG))
                .field(f -> f.name("daemonVersion").type(Scalars.GraphQLString))
                .field(f -> f.name("registry").type(Scalars.GraphQLString)
                        .description("The daemon's registry fingerprint the schema was generated from."))
                .field(f -> f.name("schemaBuiltAt").type(dev.cove.graphql.Scalars.DATE_TIME))
                .field(f -> f.name("reconnects").type(GraphQLNonNull.nonNull(Scalars.GraphQLInt))
                        .description("How often the server has reconnected to a daemon since it started."))
                .build();
        query.field(f -> f.name("_server").type(GraphQLNonNull.nonNull(info))
                .description("This server's own state: connected or not, to which daemon, schema age."));
        code.dataFetcher(FieldCoordinates.coordinates("Query", "_server"), (DataFetcher<Object>) env -> serverInfo.get());
    }

    private GraphQLFieldDefinition methodField(String field, String wire, JsonNode m, String deprecation) {
        String qualifier = Names.upperFirst(field);
        GraphQLFieldDefinition.Builder b = GraphQLFieldDefinition.newFieldDefinition().name(field)
                .description("`" + wire + "`: input " + m.path("inputType").asText("?") + ", output "
                        + m.path("outputType").asText("?") + " (" + m.path("source").asText("built-in") + ").")
                .type(output(m.path("outputSchema"), qualifier, "Result"));
        if (deprecation != null) {
            b.deprecate(deprecation);
        }
        JsonNode in = m.path("inputSchema");
        Set<String> required = requiredOf(in);
        boolean libraryDefaults = librariesDefault(wire, in);
        in.path("properties").properties().forEach(p -> {
            String arg = Names.valid(p.getKey());
            if (libraryDefaults && p.getKey().equals(LIBRARY)) {
                b.argument(GraphQLArgument.newArgument().name(arg).type(Scalars.GraphQLString)
                        .description("The library, by name or id (default: the CLI's default library, chosen with "
                                + "`cove library use`)."));
                return;
            }
            b.argument(argument(arg, p.getValue(), required.contains(p.getKey()), qualifier));
        });
        return b.build();
    }

    /**
     * Whether {@code wire} takes a library that, left out, is the CLI's default library ({@code cove library use}),
     * as on the command line: queries only, which read; an action names the library it changes.
     */
    private static boolean librariesDefault(String wire, JsonNode inputSchema) {
        return wire.startsWith("query:") && requiredOf(inputSchema).contains(LIBRARY)
                && "string".equals(inputSchema.path("properties").path(LIBRARY).path("type").asText());
    }

    private GraphQLArgument argument(String name, JsonNode s, boolean required, String qualifier) {
        GraphQLInputType t = input(s, qualifier, Names.upperFirst(name));
        GraphQLArgument.Builder a = GraphQLArgument.newArgument().name(name);
        if (s.has("default")) {
            // core.methods' default (@Default): what the CLI gives when a person leaves the option out
            a.type(t).defaultValueProgrammatic(Json.MAPPER.convertValue(s.get("default"), Object.class));
        } else if (required) {
            a.type(GraphQLNonNull.nonNull(t));
            if ("boolean".equals(s.path("type").asText())) {
                a.defaultValueProgrammatic(false);
            }
        } else {
            a.type(t);
        }
        return a.build();
    }

    private DataFetcher<Object> callFetcher(String wire, JsonNode inputSchema) {
        // GraphQL argument name → the record component it came from (they differ only for odd names)
        Map<String, String> components = new LinkedHashMap<>();
        inputSchema.path("properties").properties().forEach(p -> components.put(Names.valid(p.getKey()), p.getKey()));
        boolean libraryDefaults = librariesDefault(wire, inputSchema);
        return env -> CompletableFuture.supplyAsync(() -> {
            ObjectNode payload = Json.MAPPER.createObjectNode();
            env.getArguments().forEach((k, v) -> payload.set(components.getOrDefault(k, k), Json.MAPPER.valueToTree(v)));
            try {
                if (libraryDefaults && (!payload.hasNonNull(LIBRARY) || payload.get(LIBRARY).asText().isBlank())) {
                    payload.put(LIBRARY, defaultLibrary());
                }
                return DataFetcherResult.newResult().data(plain(daemon.call(wire, payload))).build();
            } catch (RpcException e) {
                return DataFetcherResult.newResult().error(error(env, e)).build();
            }
        }, executor);
    }

    /** The CLI's default library, or the error the CLI gives when none is set. */
    private String defaultLibrary() {
        String d = daemon.defaultLibrary();
        if (d == null) {
            throw new RpcException(dev.cove.rpc.ErrorCode.INVALID_INPUT, "no library given and no default library is "
                    + "set: pass library: \"NAME\", or choose a default with `cove library use NAME` (`cove library "
                    + "list` shows them)");
        }
        return d;
    }

    private GraphQLFieldDefinition eventField(String field, String event, JsonNode s) {
        GraphQLFieldDefinition.Builder b = GraphQLFieldDefinition.newFieldDefinition().name(field)
                .description("`" + event + "` events as they happen. Each argument given filters by the event "
                        + "field of the same name, as the daemon's subscribe does.")
                .type(GraphQLNonNull.nonNull(output(s, Names.upperFirst(field), "Event")));
        Map<String, String> filterKeys = new LinkedHashMap<>();
        s.path("properties").properties().forEach(p -> {
            JsonNode ps = p.getValue();
            if (!filterable(p.getKey(), ps)) {
                return;
            }
            String arg = Names.valid(p.getKey());
            filterKeys.put(arg, p.getKey());
            String doc = switch (p.getKey()) {
                case "level" -> "Minimum level: this level and the more severe ones.";
                case "target" -> "The target (logger name) or a prefix of it: `rpc` matches `rpc.server.RpcServer`.";
                default -> "Only events whose " + p.getKey() + " equals this.";
            };
            b.argument(GraphQLArgument.newArgument().name(arg).description(doc)
                    .type(input(ps, Names.upperFirst(field), Names.upperFirst(arg))));
        });
        code.dataFetcher(FieldCoordinates.coordinates("Subscription", field), (DataFetcher<Object>) env -> {
            Map<String, String> filter = new LinkedHashMap<>();
            env.getArguments().forEach((k, v) -> {
                if (v != null) {
                    filter.put(filterKeys.getOrDefault(k, k), String.valueOf(v));
                }
            });
            LagCounter lag = env.getGraphQlContext().get(LagCounter.class);
            try {
                var stream = daemon.subscribe(List.of(event), filter);
                return new EventPublisher(stream, event, lag == null ? new LagCounter() : lag, (type, node) -> plain(node));
            } catch (RpcException e) {
                return DataFetcherResult.newResult().error(error(env, e)).build();
            }
        });
        return b.build();
    }

    /**
     * {@code events(types: [String!], <filters>): CoveEvent!}: several event types on one
     * subscription, as {@code cove events} does; a union of every event type, told apart by
     * {@code __typename}. Filters are those shared by the event types with one meaning (type).
     */
    private GraphQLFieldDefinition allEventsField(Map<String, GraphQLObjectType> types, java.util.Collection<GraphQLArgument> filters) {
        String unionName = "CoveEvent";
        for (int n = 2; claimed.containsKey(unionName) || RESERVED.contains(unionName); n++) {
            unionName = "CoveEvent" + n;
        }
        graphql.schema.GraphQLUnionType.Builder u = graphql.schema.GraphQLUnionType.newUnionType().name(unionName)
                .description("Any event the daemon publishes.");
        types.values().forEach(u::possibleType);
        graphql.schema.GraphQLUnionType union = u.build();
        Map<String, String> objectByEvent = new HashMap<>();
        types.forEach((event, t) -> objectByEvent.put(event, t.getName()));
        code.typeResolver(union, env -> {
            Object src = env.getObject();
            String event = src instanceof Map<?, ?> m ? String.valueOf(m.get(EVENT_KEY)) : null;
            return env.getSchema().getObjectType(objectByEvent.get(event));
        });
        GraphQLFieldDefinition.Builder b = GraphQLFieldDefinition.newFieldDefinition().name("events")
                .description("Events of several types on one subscription (all types when `types` is left out); "
                        + "each filter argument applies to the event types that have that field.")
                .type(GraphQLNonNull.nonNull(union))
                .argument(GraphQLArgument.newArgument().name("types").description("Event type names, e.g. [\"JobUpdate\", "
                        + "\"LogMessage\"]; all when absent.").type(GraphQLList.list(GraphQLNonNull.nonNull(Scalars.GraphQLString))));
        filters.forEach(a -> b.argument(GraphQLArgument.newArgument(a).description(
                "Only events whose " + a.getName() + " matches this (ignored by types without that field).")));
        code.dataFetcher(FieldCoordinates.coordinates("Subscription", "events"), (DataFetcher<Object>) env -> {
            List<String> names = env.getArgument("types");
            if (names != null) {
                for (String n : names) {
                    if (!types.containsKey(n)) {
                        return DataFetcherResult.newResult().error(GraphqlErrorBuilder.newError(env)
                                .message("no event type '" + n + "'; the daemon publishes " + types.keySet())
                                .extensions(Map.of("code", "INVALID_INPUT")).build()).build();
                    }
                }
            }
            Map<String, String> filter = new LinkedHashMap<>();
            env.getArguments().forEach((k, v) -> {
                if (v != null && !k.equals("types")) {
                    filter.put(k, String.valueOf(v));
                }
            });
            LagCounter lag = env.getGraphQlContext().get(LagCounter.class);
            try {
                var stream = daemon.subscribe(names == null ? List.of() : names, filter);
                return new EventPublisher(stream, "events", lag == null ? new LagCounter() : lag, SchemaFactory::tagged);
            } catch (RpcException e) {
                return DataFetcherResult.newResult().error(error(env, e)).build();
            }
        });
        return b.build();
    }

    /** Where an event's type name rides along in its map, for the union's type resolver. */
    static final String EVENT_KEY = "__coveEvent";

    /** An event as a map that also names its type, so the union can resolve it. */
    private static Object tagged(String type, JsonNode event) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (plain(event) instanceof Map<?, ?> fields) {
            fields.forEach((k, v) -> m.put(String.valueOf(k), v));
        }
        m.put(EVENT_KEY, type);
        return m;
    }

    /**
     * Which event fields become filter arguments: enums and booleans, and the identifying string and
     * integer fields (ids, names, paths, targets). The daemon would filter on any field, but a filter
     * on a byte count or a free-text message is noise in a schema.
     */
    private static boolean filterable(String name, JsonNode s) {
        String type = s.path("type").asText();
        if (s.has("enum") || type.equals("boolean")) {
            return true;
        }
        boolean identifying = name.equals("id") || name.endsWith("Id") || name.equals("pid") || name.equals("name")
                || name.equals("app") || name.equals("user") || name.equals("target") || name.equals("path");
        return identifying && (type.equals("integer") || type.equals("string") && !s.has("format"));
    }

    /** A daemon error as a GraphQL error whose {@code extensions.code} is the daemon's error code. */
    static graphql.GraphQLError error(DataFetchingEnvironment env, RpcException e) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("code", e.code().name());
        if (!e.details().isEmpty()) {
            ext.put("details", e.details());
        }
        return GraphqlErrorBuilder.newError(env).message(e.getMessage()).extensions(ext).build();
    }

    /** JSON from the daemon as maps, lists and scalars, which graphql-java's default fetchers read. */
    static Object plain(JsonNode node) {
        return node == null || node.isNull() ? null : Json.MAPPER.convertValue(node, Object.class);
    }

    // ---- types ----

    private void collectShapes(JsonNode s) {
        if (s == null || !s.isObject()) {
            return;
        }
        String jt = s.path("x-java-type").asText(null);
        if (jt != null && !s.has("x-recursive") && (s.has("properties") || s.has("enum"))) {
            shapes.computeIfAbsent(jt, k -> new LinkedHashSet<>()).add(shapeKey(s));
        }
        s.path("properties").forEach(this::collectShapes);
        collectShapes(s.get("items"));
        if (s.get("additionalProperties") != null && s.get("additionalProperties").isObject()) {
            collectShapes(s.get("additionalProperties"));
        }
        s.path("oneOf").forEach(this::collectShapes);
    }

    private static String shapeKey(JsonNode s) {
        return s.toString();
    }

    /**
     * The GraphQL name for a record or enum. Its Java simple name when that is unambiguous across the
     * whole description; else qualified by its owner (LibraryChanged.Change → LibraryChangedChange).
     * Shapes without a Java name (rare) are named owner + field. A name already taken by another
     * shape gets a number.
     */
    private String typeName(JsonNode s, String owner, String fieldPart, String role) {
        String jt = s.path("x-java-type").asText(null);
        String base;
        if (jt == null) {
            base = owner + fieldPart;
        } else if (shapes.getOrDefault(jt, Set.of()).size() > 1) {
            base = owner + Names.valid(jt);
        } else {
            base = Names.valid(jt);
        }
        if (role.equals("in")) {
            base += "Input";
        }
        String key = role + ":" + shapeKey(s);
        String existing = nameByShape.get(key);
        if (existing != null) {
            return existing;
        }
        String name = base;
        for (int n = 2; claimed.containsKey(name) || RESERVED.contains(name); n++) {
            name = base + n;
        }
        claimed.put(name, key);
        nameByShape.put(key, name);
        return name;
    }

    /** The scalar of an integer, number or boolean schema: the same for inputs and outputs. */
    private static graphql.schema.GraphQLScalarType numberOrBoolean(JsonNode s) {
        return switch (s.path("type").asText()) {
            case "integer" -> "int32".equals(s.path("format").asText()) ? Scalars.GraphQLInt : dev.cove.graphql.Scalars.LONG;
            case "number" -> Scalars.GraphQLFloat;
            default -> Scalars.GraphQLBoolean;
        };
    }

    private GraphQLOutputType output(JsonNode s, String owner, String fieldPart) {
        if (s == null || s.isMissingNode() || s.has("oneOf")) {
            return dev.cove.graphql.Scalars.JSON;
        }
        switch (s.path("type").asText()) {
            case "string" -> {
                return s.has("enum") ? enumType(s, owner, fieldPart) : stringType(s);
            }
            case "integer", "number", "boolean" -> {
                return numberOrBoolean(s);
            }
            case "array" -> {
                JsonNode items = s.get("items");
                return items == null ? dev.cove.graphql.Scalars.JSON
                        : GraphQLList.list(GraphQLNonNull.nonNull(output(items, owner, fieldPart)));
            }
            case "object" -> {
                if (s.has("x-recursive")) {
                    return recursiveRef(s);
                }
                if (s.path("properties").isEmpty()) {
                    return dev.cove.graphql.Scalars.JSON;
                }
                return objectType(s, owner, fieldPart);
            }
            default -> {
                return dev.cove.graphql.Scalars.JSON;
            }
        }
    }

    private GraphQLTypeReference recursiveRef(JsonNode s) {
        String jt = s.path("x-java-type").asText();
        for (Iterator<Map.Entry<String, String>> it = inProgress.iterator(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            if (e.getKey().equals(jt)) {
                return GraphQLTypeReference.typeRef(e.getValue());
            }
        }
        return GraphQLTypeReference.typeRef(Names.valid(jt));
    }

    private static GraphQLOutputType stringType(JsonNode s) {
        return "date-time".equals(s.path("format").asText()) ? dev.cove.graphql.Scalars.DATE_TIME : Scalars.GraphQLString;
    }

    private GraphQLOutputType objectType(JsonNode s, String owner, String fieldPart) {
        String name = typeName(s, owner, fieldPart, "out");
        GraphQLType done = built.get(name);
        if (done != null) {
            return (GraphQLOutputType) done;
        }
        if (inProgress.stream().anyMatch(e -> e.getValue().equals(name))) {
            return GraphQLTypeReference.typeRef(name);
        }
        inProgress.push(Map.entry(s.path("x-java-type").asText(name), name));
        try {
            Set<String> required = requiredOf(s);
            GraphQLObjectType.Builder b = GraphQLObjectType.newObject().name(name);
            if (s.has("x-java-type")) {
                b.description("Cove's `" + s.path("x-java-type").asText() + "`.");
            }
            s.path("properties").properties().forEach(p -> {
                String fname = Names.valid(p.getKey());
                GraphQLOutputType t = output(p.getValue(), name, Names.upperFirst(fname));
                b.field(GraphQLFieldDefinition.newFieldDefinition().name(fname)
                        .type(required.contains(p.getKey()) ? GraphQLNonNull.nonNull(t) : t));
                if (!fname.equals(p.getKey())) {
                    String key = p.getKey();
                    code.dataFetcher(FieldCoordinates.coordinates(name, fname),
                            (DataFetcher<Object>) env -> env.getSource() instanceof Map<?, ?> m ? m.get(key) : null);
                }
            });
            GraphQLObjectType t = b.build();
            built.put(name, t);
            return t;
        } finally {
            inProgress.pop();
        }
    }

    private GraphQLEnumType enumType(JsonNode s, String owner, String fieldPart) {
        String name = typeName(s, owner, fieldPart, "enum");
        GraphQLType done = built.get(name);
        if (done != null) {
            return (GraphQLEnumType) done;
        }
        GraphQLEnumType.Builder b = GraphQLEnumType.newEnum().name(name);
        s.path("enum").forEach(v -> {
            String constant = v.asText();
            String gql = Names.valid(constant);
            if (gql.equals("true") || gql.equals("false") || gql.equals("null")) {
                gql = "_" + gql;
            }
            b.value(gql, constant);
        });
        GraphQLEnumType t = b.build();
        built.put(name, t);
        return t;
    }

    private GraphQLInputType input(JsonNode s, String owner, String fieldPart) {
        if (s == null || s.isMissingNode() || s.has("oneOf")) {
            return dev.cove.graphql.Scalars.JSON;
        }
        switch (s.path("type").asText()) {
            case "string" -> {
                if (s.has("enum")) {
                    return enumType(s, owner, fieldPart);
                }
                return "date-time".equals(s.path("format").asText()) ? dev.cove.graphql.Scalars.DATE_TIME
                        : Scalars.GraphQLString;
            }
            case "integer", "number", "boolean" -> {
                return numberOrBoolean(s);
            }
            case "array" -> {
                JsonNode items = s.get("items");
                return items == null ? dev.cove.graphql.Scalars.JSON
                        : GraphQLList.list(GraphQLNonNull.nonNull(input(items, owner, fieldPart)));
            }
            case "object" -> {
                if (s.has("x-recursive")) {
                    return GraphQLTypeReference.typeRef(Names.valid(s.path("x-java-type").asText()) + "Input");
                }
                if (s.path("properties").isEmpty()) {
                    return dev.cove.graphql.Scalars.JSON;
                }
                return inputObjectType(s, owner, fieldPart);
            }
            default -> {
                return dev.cove.graphql.Scalars.JSON;
            }
        }
    }

    private GraphQLInputType inputObjectType(JsonNode s, String owner, String fieldPart) {
        String name = typeName(s, owner, fieldPart, "in");
        GraphQLType done = built.get(name);
        if (done != null) {
            return (GraphQLInputType) done;
        }
        if (inProgress.stream().anyMatch(e -> e.getValue().equals(name))) {
            return GraphQLTypeReference.typeRef(name);
        }
        inProgress.push(Map.entry(s.path("x-java-type").asText(name) + "/in", name));
        try {
            Set<String> required = requiredOf(s);
            GraphQLInputObjectType.Builder b = GraphQLInputObjectType.newInputObject().name(name);
            s.path("properties").properties().forEach(p -> {
                String fname = Names.valid(p.getKey());
                GraphQLInputType t = input(p.getValue(), name, Names.upperFirst(fname));
                GraphQLInputObjectField.Builder fb = GraphQLInputObjectField.newInputObjectField().name(fname);
                if (required.contains(p.getKey())) {
                    fb.type(GraphQLNonNull.nonNull(t));
                    if ("boolean".equals(p.getValue().path("type").asText())) {
                        fb.defaultValueProgrammatic(false);
                    }
                } else {
                    fb.type(t);
                }
                b.field(fb.build());
            });
            GraphQLInputObjectType t = b.build();
            built.put(name, t);
            return t;
        } finally {
            inProgress.pop();
        }
    }

    private static Set<String> requiredOf(JsonNode s) {
        Set<String> r = new LinkedHashSet<>();
        s.path("required").forEach(n -> r.add(n.asText()));
        return r;
    }
}
