package dev.cove.graphql;

import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The current executable schema, swapped whole when the daemon's methods change, with the limits
 * that keep a hostile query from stalling the server: parser token and nesting caps, a maximum
 * query depth and a maximum complexity (fields counted).
 */
final class Engine {
    /** Limits on what a request may ask for. */
    record Limits(int maxDepth, int maxComplexity, int maxTokens) {
    }

    /** Longer queries are not cached, so the caches stay small whatever clients send (256 × 16 KiB at most). */
    private static final int CACHED_QUERY_CHARS = 16 * 1024;

    private final Limits limits;
    private final ParserOptions parserOptions;
    private final AtomicReference<State> state = new AtomicReference<>();
    /** Whether a schema generated from the daemon's description serves (not the start-up placeholder). */
    private volatile boolean whole;

    private record State(CoveSchema schema, GraphQL graphql) {
    }

    Engine(Limits limits, CoveSchema initial) {
        this.limits = limits;
        // the parser's own grammar-depth cap (500 rules) stays: it stops absurd nesting before any
        // validation runs; the query depth limit below is the one users meet
        this.parserOptions = ParserOptions.getDefaultOperationParserOptions().transform(o -> o
                .maxTokens(limits.maxTokens()));
        set(initial);
    }

    /** Serves {@code schema}, one generated from the daemon's {@code core.methods}, from now on. */
    void install(CoveSchema schema) {
        set(schema);
        whole = true;
    }

    /**
     * Whether the schema is the daemon's whole one. Until the first {@code core.methods} answer is in, only the
     * placeholder serves (no Mutation, no Subscription); a client that introspected it then would keep a schema
     * that lacks most of Cove, so {@code /graphql} answers 503 until this is true. Once true it stays so: after a
     * lost daemon the last whole schema keeps serving and its calls fail with UNAVAILABLE.
     */
    boolean whole() {
        return whole;
    }

    private void set(CoveSchema schema) {
        // a fresh document cache per schema: a document valid against the old one may not be now
        GraphQL g = GraphQL.newGraphQL(schema.schema()).preparsedDocumentProvider(new DocumentCache(256))
                .instrumentation(new ChainedInstrumentation(List.of(
                        new MaxQueryDepthInstrumentation(limits.maxDepth()),
                        new MaxQueryComplexityInstrumentation(limits.maxComplexity()))))
                .build();
        state.set(new State(schema, g));
    }

    /**
     * Parsed and validated documents by query text, least recently used evicted: GraphiQL and most
     * programs send the same few queries again and again.
     */
    private static final class DocumentCache implements PreparsedDocumentProvider {
        private final Map<String, PreparsedDocumentEntry> entries;

        DocumentCache(int size) {
            this.entries = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(size, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, PreparsedDocumentEntry> eldest) {
                    return size() > size;
                }
            });
        }

        @Override
        public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(ExecutionInput input,
                java.util.function.Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
            if (input.getQuery().length() > CACHED_QUERY_CHARS) {
                return CompletableFuture.completedFuture(parseAndValidate.apply(input));
            }
            PreparsedDocumentEntry e = entries.get(input.getQuery());
            if (e == null) {
                e = parseAndValidate.apply(input);
                entries.put(input.getQuery(), e);
            }
            return CompletableFuture.completedFuture(e);
        }
    }

    CoveSchema schema() {
        return state.get().schema();
    }

    CompletableFuture<ExecutionResult> execute(String query, String operationName, Map<String, Object> variables,
                                              Map<Object, Object> context) {
        ExecutionInput.Builder in = ExecutionInput.newExecutionInput().query(query)
                .operationName(operationName).variables(variables == null ? Map.of() : variables);
        in.graphQLContext(b -> b.of(ParserOptions.class, parserOptions).of(context));
        return state.get().graphql().executeAsync(in.build());
    }

    private final Map<String, Document> parsed = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Document> eldest) {
                    return size() > 256;
                }
            });

    /** The operation a request would run, found by parsing it; null when it does not parse or is ambiguous. */
    OperationDefinition.Operation operationOf(String query, String operationName) {
        try {
            Document cached = parsed.get(query);
            Document doc = cached != null ? cached : new Parser().parseDocument(ParserEnvironment.newParserEnvironment()
                    .document(query).parserOptions(parserOptions).build());
            if (cached == null && query.length() <= CACHED_QUERY_CHARS) {
                parsed.put(query, doc);
            }
            List<OperationDefinition> ops = doc.getDefinitionsOfType(OperationDefinition.class);
            for (OperationDefinition op : ops) {
                if (operationName == null ? ops.size() == 1 : operationName.equals(op.getName())) {
                    return op.getOperation();
                }
            }
            return null;
        } catch (InvalidSyntaxException e) {
            return null;
        }
    }
}
