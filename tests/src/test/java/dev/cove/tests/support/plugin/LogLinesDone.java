package dev.cove.tests.support.plugin;

/** @param logger the logger name the lines were written with */
public record LogLinesDone(String logger) {
}
