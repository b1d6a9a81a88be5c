package dev.cove.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a {@link Handler} class as the state-changing operation {@code action:<name>.input.v<version>}. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Action {
    /** Dotted name, e.g. {@code "libraries.create"}. */
    String value();

    int version() default 1;
}
