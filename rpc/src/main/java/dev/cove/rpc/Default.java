package dev.cove.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a client offers for a record component that a person leaves out: published as the JSON Schema
 * {@code default} of the component in {@code core.methods}, which then is not required, and used by GraphQL as the
 * argument's default. The daemon does not apply it (a JSON payload without the component decodes to Java's zero
 * value, whose meaning the record documents); it states what people get from the CLI and GraphQL alike.
 * The value is a JSON literal: {@code "50"}, {@code "true"}, {@code "\"NAME\""}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Default {
    String value();
}
