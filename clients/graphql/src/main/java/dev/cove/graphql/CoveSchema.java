package dev.cove.graphql;

import graphql.schema.GraphQLSchema;

import java.time.Instant;
import java.util.List;

/**
 * A schema generated from one {@code core.methods} answer, and which GraphQL field serves which
 * method (for logs, docs and the completeness test).
 */
record CoveSchema(GraphQLSchema schema, List<Operation> operations, String registry, Instant builtAt) {
    /** One root field: {@code type} is Query, Mutation or Subscription; {@code wire} the method or event name. */
    record Operation(String type, String field, String wire) {
    }
}
