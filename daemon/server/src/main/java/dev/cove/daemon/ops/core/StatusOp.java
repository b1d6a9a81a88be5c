package dev.cove.daemon.ops.core;

import dev.cove.api.Cove;
import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.daemon.DaemonRuntime;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;
import dev.cove.rpc.server.RpcServer;
import dev.cove.rpc.wire.Protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

@Query("core.status")
public final class StatusOp implements Handler<GetStatus, DaemonStatus> {
    private final DaemonRuntime runtime;

    public StatusOp(DaemonRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public DaemonStatus handle(GetStatus input, CallContext context) {
        RpcServer server = runtime.server();
        Runtime rt = Runtime.getRuntime();
        var paths = runtime.paths();
        return new DaemonStatus(paths.instance(), Cove.VERSION, Protocol.VERSION, ProcessHandle.current().pid(),
                runtime.startedAt(), Duration.between(runtime.startedAt(), Instant.now()).toMillis(),
                paths.socket().toString(), paths.dataDir().toString(), paths.instanceDataDir().toString(),
                paths.logFile().toString(), server.clients().size(), server.registry().size(), runtime.hub().size(),
                rt.totalMemory() - rt.freeMemory(), rt.maxMemory(), residentBytes(), java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount(),
                Runtime.version().toString(), runtime.options().isPrivate(), runtime.options().parentPid(),
                runtime.options().settings());
    }

    /** VmRSS from /proc on Linux; -1 elsewhere. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return -1;
    }
}
