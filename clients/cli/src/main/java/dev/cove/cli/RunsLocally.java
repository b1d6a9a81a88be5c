package dev.cove.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a command that must run in a process of its own, never in the daemon: it starts, stops or replaces the
 * daemon (which would stop the command with it), becomes a process the user waits on, or inspects the machine as
 * the user's own process sees it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RunsLocally {
}
