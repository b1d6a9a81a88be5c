package dev.cove.rpc;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventFilterTest {
    record JobEvent(String jobId, String libraryId, int progress) implements Event { }

    @Test
    void matchesComponentsAndIgnoresKeysTheEventLacks() {
        JobEvent e = new JobEvent("j1", "lib", 5);
        assertTrue(e.matches(EventFilter.NONE));
        assertTrue(e.matches(EventFilter.of("jobId", "j1")));
        assertTrue(e.matches(new EventFilter(Map.of("job_id", "j1", "library_id", "lib"))));
        assertFalse(e.matches(EventFilter.of("jobId", "j2")));
        assertTrue(e.matches(EventFilter.of("sessionId", "s")));
        assertTrue(e.matches(EventFilter.of("progress", "5")));
    }
}
