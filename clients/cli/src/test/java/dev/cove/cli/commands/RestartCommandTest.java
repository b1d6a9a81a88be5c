package dev.cove.cli.commands;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RestartCommandTest {
    /** The settings as {@code query:core.status.v1} reports them (DaemonOptions.settings). */
    private static Map<String, String> running() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("log-level", "debug");
        m.put("idle-timeout", "10m");
        m.put("shutdown-grace", "3s");
        m.put("hang-window", "1500ms");
        m.put("session-retention", "7d");
        m.put("heap-limit", "80%");
        m.put("heap-window", "45s");
        m.put("config", "");
        return m;
    }

    @Test
    void theRunningSettingsAreGivenAgainAsTheDaemonReportsThem() {
        assertEquals(List.of("--log-level", "debug", "--idle-timeout", "10m", "--shutdown-grace", "3s",
                        "--hang-window", "1500ms", "--session-retention", "7d", "--heap-limit", "80%", "--heap-window", "45s"),
                RestartCommand.kept(running(), List.of()));
    }

    @Test
    void optionsGivenToTheRestartOverrideTheRunningOnes() {
        assertEquals(List.of("--idle-timeout", "10m", "--hang-window", "1500ms", "--session-retention", "7d",
                        "--heap-limit", "80%", "--heap-window", "45s"),
                RestartCommand.kept(running(), List.of("--log-level", "warn", "--shutdown-grace=5")));
    }

    @Test
    void noRunningDaemonKeepsNothing() {
        assertEquals(List.of(), RestartCommand.kept(Map.of(), List.of("--log-level", "warn")));
    }
}
