package dev.cove.rpc.index;

import dev.cove.rpc.server.HandlerFactory;
import dev.cove.rpc.server.OperationRegistry;
import dev.cove.rpc.wire.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperationIndexTest {
    @TempDir
    Path dir;

    private ClassLoader withIndex(String... lines) throws Exception {
        Path f = dir.resolve(OperationIndex.RESOURCE);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "# test index\n" + String.join("\n", lines) + "\n");
        return new URLClassLoader(new URL[]{dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void theRegistryTakesTheIndexInsteadOfScanning() throws Exception {
        // a scan of dev.cove.rpc.server would find every test handler there; the index names one
        ClassLoader loader = withIndex("dev.cove.rpc.server.RpcServerTest$EchoOp", "dev.other.NotInThePackage");
        assertEquals(List.of("dev.cove.rpc.server.RpcServerTest$EchoOp"),
                OperationIndex.read(loader, "dev.cove.rpc.server"));
        OperationRegistry r = OperationRegistry.builder(HandlerFactory.noArgs(), Protocol.DEFAULT_MAX_FRAME_BYTES)
                .scanPackages(loader, "dev.cove.rpc.server").build();
        assertEquals(1, r.size());
        assertTrue(r.find("query:test.echo.v1") != null);
    }

    @Test
    void anIndexNamingAMissingClassFailsStartUpSayingWhichClass() throws Exception {
        ClassLoader loader = withIndex("dev.cove.rpc.server.GoneOp");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OperationRegistry
                .builder(HandlerFactory.noArgs(), Protocol.DEFAULT_MAX_FRAME_BYTES)
                .scanPackages(loader, "dev.cove.rpc.server"));
        assertTrue(e.getMessage().contains("dev.cove.rpc.server.GoneOp"), e.getMessage());
    }

    @Test
    void withoutAnIndexThereIsNothingToRead() throws Exception {
        assertNull(OperationIndex.read(new URLClassLoader(new URL[0], null)));
    }
}
