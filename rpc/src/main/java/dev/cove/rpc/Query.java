package dev.cove.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a {@link Handler} class as the read-only operation {@code query:<name>.v<version>}. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Query {
    /** Dotted name, e.g. {@code "libraries.list"}. */
    String value();

    int version() default 1;
}
