package dev.cove.daemon.upstream;

import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The machine as the upstream sees it: {@code host.id} and {@code host.name}. The id is the one the
 * semantic conventions name for Linux ({@code /etc/machine-id}); where there is none, a random id kept
 * in the data folder ({@code host-id}), so it stays the same across restarts. OTEL_RESOURCE_ATTRIBUTES
 * overrides both (tests make three "hosts" on one machine that way).
 */
public final class HostIdentity {
    private HostIdentity() {
    }

    public static String id(InstancePaths paths) {
        for (String f : new String[]{"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
            try {
                String s = Files.readString(Path.of(f), StandardCharsets.US_ASCII).strip();
                if (!s.isEmpty()) {
                    return s;
                }
            } catch (IOException ignored) {
                // try the next one
            }
        }
        Path kept = paths.dataDir().resolve("host-id");
        try {
            if (Files.exists(kept)) {
                return Files.readString(kept, StandardCharsets.US_ASCII).strip();
            }
            String id = UUID.randomUUID().toString();
            Files.writeString(kept, id + "\n", StandardCharsets.US_ASCII);
            return id;
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String name() {
        try {
            String s = Files.readString(Path.of("/etc/hostname"), StandardCharsets.UTF_8).strip();
            if (!s.isEmpty()) {
                return s;
            }
        } catch (IOException ignored) {
            // ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
