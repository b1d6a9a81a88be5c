package dev.cove.tests.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One daemon, with the test plugin installed, shared by every test of a class:
 * {@code @RegisterExtension static final SharedDaemon shared = SharedDaemon.withTestPlugin("load");}
 * It gets a fresh data folder before the class and is killed, folder and all, after it.
 */
public final class SharedDaemon implements BeforeAllCallback, AfterAllCallback {
    private final String instance;
    private Path dir;
    private DaemonProcess daemon;

    private SharedDaemon(String instance) {
        this.instance = instance;
    }

    public static SharedDaemon withTestPlugin(String instance) {
        return new SharedDaemon(instance);
    }

    public DaemonProcess daemon() {
        if (daemon == null) {
            throw new IllegalStateException("the shared daemon runs only while its test class does");
        }
        return daemon;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("cove-shared");
        Path data = dir.resolve("data");
        TestPlugin.installInto(data);
        daemon = DaemonProcess.start(data, instance);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
