package dev.cove.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the wire method of a {@link Request} record, e.g. {@code "query:core.ping.v1"} or
 * {@code "action:libraries.create.input.v1"}. The handler's {@link Query} or {@link Action}
 * annotation must name the same method; the registry refuses to start otherwise.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Method {
    String value();
}
