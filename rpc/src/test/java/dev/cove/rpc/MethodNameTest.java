package dev.cove.rpc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MethodNameTest {
    @Test
    void parsesAndPrintsTheVersionedConvention() {
        assertEquals(new MethodName(Kind.QUERY, "libraries.list", 1), MethodName.parse("query:libraries.list.v1"));
        assertEquals(new MethodName(Kind.ACTION, "libraries.create", 2),
                MethodName.parse("action:libraries.create.input.v2"));
        assertEquals("action:files.copy.input.v1", new MethodName(Kind.ACTION, "files.copy", 1).wire());
        assertEquals("query:core.ping.v1", new MethodName(Kind.QUERY, "core.ping", 1).wire());
    }

    @Test
    void refusesMalformedMethods() {
        for (String bad : new String[]{"query:core.ping", "action:core.shutdown.v1", "query:core.ping.input.v1",
                "ping", "query:Core.Ping.v1", "query:core.ping.v0", ""}) {
            assertThrows(IllegalArgumentException.class, () -> MethodName.parse(bad), bad);
        }
    }
}
