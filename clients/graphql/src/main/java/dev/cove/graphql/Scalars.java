package dev.cove.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.EnumValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scalars Cove's contracts need beyond GraphQL's own: {@code Long} (64-bit ids, sizes, times in
 * ms), {@code DateTime} (ISO-8601 instants, kept as the daemon's strings) and {@code JSON} (maps and
 * free-form values such as session state). Written here rather than taken from
 * graphql-java-extended-scalars because three small coercings do not justify a library whose
 * releases trail graphql-java's.
 */
final class Scalars {
    private Scalars() {
    }

    static final GraphQLScalarType LONG = GraphQLScalarType.newScalar().name("Long")
            .description("A 64-bit signed integer (ids, byte counts, milliseconds). Serialized as a JSON number.")
            .coercing(new Coercing<Long, Long>() {
                @Override
                public Long serialize(Object v, GraphQLContext c, Locale l) {
                    if (v instanceof Number n) {
                        return n.longValue();
                    }
                    if (v instanceof String s) {
                        try {
                            return Long.parseLong(s);
                        } catch (NumberFormatException e) {
                            throw new CoercingSerializeException("not a Long: " + s);
                        }
                    }
                    throw new CoercingSerializeException("not a Long: " + v);
                }

                @Override
                public Long parseValue(Object v, GraphQLContext c, Locale l) {
                    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                        return ((Number) v).longValue();
                    }
                    if (v instanceof BigInteger b) {
                        try {
                            return b.longValueExact();
                        } catch (ArithmeticException e) {
                            throw new CoercingParseValueException("out of the Long range: " + b);
                        }
                    }
                    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                            && Math.abs(n.doubleValue()) < 9.007199254740992E15) {
                        return n.longValue();
                    }
                    if (v instanceof String s) {
                        try {
                            return Long.parseLong(s.trim());
                        } catch (NumberFormatException e) {
                            throw new CoercingParseValueException("not a Long: \"" + s + "\"");
                        }
                    }
                    throw new CoercingParseValueException("expected a Long, got " + v);
                }

                @Override
                public Long parseLiteral(Value<?> input, CoercedVariables vars, GraphQLContext c, Locale l) {
                    if (input instanceof IntValue i) {
                        try {
                            return i.getValue().longValueExact();
                        } catch (ArithmeticException e) {
                            throw new CoercingParseLiteralException("out of the Long range: " + i.getValue());
                        }
                    }
                    if (input instanceof StringValue s) {
                        try {
                            return Long.parseLong(s.getValue().trim());
                        } catch (NumberFormatException e) {
                            throw new CoercingParseLiteralException("not a Long: \"" + s.getValue() + "\"");
                        }
                    }
                    throw new CoercingParseLiteralException("expected an integer literal for a Long");
                }
            }).build();

    static final GraphQLScalarType DATE_TIME = GraphQLScalarType.newScalar().name("DateTime")
            .description("An instant as an ISO-8601 string with offset, e.g. 2026-11-22T16:56:37.212Z.")
            .coercing(new Coercing<String, String>() {
                @Override
                public String serialize(Object v, GraphQLContext c, Locale l) {
                    return String.valueOf(v);
                }

                @Override
                public String parseValue(Object v, GraphQLContext c, Locale l) {
                    if (v instanceof String s) {
                        return check(s, CoercingParseValueException::new);
                    }
                    throw new CoercingParseValueException("expected an ISO-8601 date-time string, got " + v);
                }

                @Override
                public String parseLiteral(Value<?> input, CoercedVariables vars, GraphQLContext c, Locale l) {
                    if (input instanceof StringValue s) {
                        return check(s.getValue(), CoercingParseLiteralException::new);
                    }
                    throw new CoercingParseLiteralException("expected an ISO-8601 date-time string");
                }

                private <E extends RuntimeException> String check(String s, java.util.function.Function<String, E> err) {
                    try {
                        OffsetDateTime.parse(s);
                        return s;
                    } catch (DateTimeParseException e) {
                        throw err.apply("not an ISO-8601 date-time with offset (like 2026-01-31T12:00:00Z): \"" + s + "\"");
                    }
                }
            }).build();

    static final GraphQLScalarType JSON = GraphQLScalarType.newScalar().name("JSON")
            .description("Any JSON value: maps (tags, state), free-form data, or shapes GraphQL cannot express.")
            .coercing(new Coercing<Object, Object>() {
                @Override
                public Object serialize(Object v, GraphQLContext c, Locale l) {
                    return v;
                }

                @Override
                public Object parseValue(Object v, GraphQLContext c, Locale l) {
                    return v;
                }

                @Override
                public Object parseLiteral(Value<?> input, CoercedVariables vars, GraphQLContext c, Locale l) {
                    return literal(input, vars.toMap());
                }
            }).build();

    private static Object literal(Value<?> v, Map<String, Object> vars) {
        return switch (v) {
            case NullValue n -> null;
            case StringValue s -> s.getValue();
            case BooleanValue b -> b.isValue();
            case IntValue i -> i.getValue();
            case FloatValue f -> (BigDecimal) f.getValue();
            case EnumValue e -> e.getName();
            case VariableReference r -> vars.get(r.getName());
            case ArrayValue a -> {
                List<Object> out = new ArrayList<>();
                a.getValues().forEach(x -> out.add(literal(x, vars)));
                yield out;
            }
            case ObjectValue o -> {
                Map<String, Object> out = new LinkedHashMap<>();
                o.getObjectFields().forEach(f -> out.put(f.getName(), literal(f.getValue(), vars)));
                yield out;
            }
            default -> throw new CoercingParseLiteralException("unsupported JSON literal: " + v);
        };
    }
}
