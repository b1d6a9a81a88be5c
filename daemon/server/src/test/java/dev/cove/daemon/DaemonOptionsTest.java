package dev.cove.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DaemonOptionsTest {
    @TempDir
    Path tmp;

    private DaemonOptions parse(String... args) {
        List<String> all = new ArrayList<>(List.of("--data-dir", tmp.toString()));
        all.addAll(List.of(args));
        return DaemonOptions.parse(all);
    }

    @Test
    void theSettingsADaemonReportsAreTakenBackAsTheyAre() {
        DaemonOptions first = parse("--shutdown-grace", "2.5", "--hang-window", "90", "--session-retention", "7",
                "--idle-timeout", "10m", "--heap-limit", "80", "--log-level", "debug");
        List<String> again = new ArrayList<>();
        first.settings().forEach((k, v) -> {
            if (!v.isEmpty()) {
                again.addAll(List.of("--" + k, v));
            }
        });
        Map<String, String> roundTrip = parse(again.toArray(String[]::new)).settings();
        assertEquals(first.settings(), roundTrip);
        assertEquals(Duration.ofMillis(2500), parse(again.toArray(String[]::new)).shutdownGrace());
    }

    @Test
    void plainNumbersKeepTheirUnitsAndDurationsTheirs() {
        assertEquals(Duration.ofSeconds(10), parse("--shutdown-grace", "10").shutdownGrace());
        assertEquals(Duration.ofSeconds(10), parse("--shutdown-grace", "10s").shutdownGrace());
        assertEquals(Duration.ofMinutes(1), parse("--hang-window=1m").hangWindow());
        assertEquals(Duration.ofDays(30), parse("--session-retention", "30").sessionRetention());
        assertEquals(Duration.ofHours(12), parse("--session-retention", "12h").sessionRetention());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--shutdown-grace", "soon"));
        assertEquals(true, e.getMessage().contains("--shutdown-grace"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("--hang-window", "50ms"));
    }
}
