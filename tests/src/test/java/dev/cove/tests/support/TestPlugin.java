package dev.cove.tests.support;

import dev.cove.tests.support.plugin.Echo;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A real plugin jar, built at test time: the handlers below are compiled with javax.tools, and the
 * jar also carries its contract records (the classes of package {@code dev.cove.tests.support.plugin},
 * copied from the test classes). Daemons started by {@link DaemonProcess} do not have the test classes
 * on their class path, so every class of the plugin reaches the daemon through the jar.
 *
 * <p>Operations: {@code action:test.fail.input.v1} (always throws), {@code query:test.echo.v1},
 * {@code action:test.burst.input.v1} (publishes events through the injected EventHub),
 * {@code action:test.log.input.v1} (logs at debug, info and warn) and {@code query:test.sleep.v1}.
 */
public final class TestPlugin {
    public static final String OPS_PACKAGE = "dev.cove.tests.support.plugin.ops";
    /** The logger the log op writes with; its LogMessage target is this without {@code dev.cove.}. */
    public static final String LOGGER = OPS_PACKAGE + ".LogOp";
    public static final String LOG_TARGET = LOGGER.substring("dev.cove.".length());

    private static final Map<String, String> SOURCES = Map.of(
            "FailOp", """
                    package dev.cove.tests.support.plugin.ops;

                    import dev.cove.rpc.Action;
                    import dev.cove.rpc.CallContext;
                    import dev.cove.rpc.Handler;
                    import dev.cove.tests.support.plugin.FailInput;
                    import dev.cove.tests.support.plugin.FailResult;

                    @Action("test.fail")
                    public final class FailOp implements Handler<FailInput, FailResult> {
                        @Override
                        public FailResult handle(FailInput input, CallContext context) {
                            throw new IllegalStateException("test.fail was told to fail: " + input.message());
                        }
                    }
                    """,
            "EchoOp", """
                    package dev.cove.tests.support.plugin.ops;

                    import dev.cove.rpc.CallContext;
                    import dev.cove.rpc.Handler;
                    import dev.cove.rpc.Query;
                    import dev.cove.rpc.instance.InstancePaths;
                    import dev.cove.tests.support.plugin.Echo;
                    import dev.cove.tests.support.plugin.Echoed;

                    @Query("test.echo")
                    public final class EchoOp implements Handler<Echo, Echoed> {
                        private final InstancePaths paths;

                        public EchoOp(InstancePaths paths) {
                            this.paths = paths;
                        }

                        @Override
                        public Echoed handle(Echo input, CallContext context) {
                            return new Echoed(input.text(), input.n(), paths.instance(), ProcessHandle.current().pid());
                        }
                    }
                    """,
            "BurstOp", """
                    package dev.cove.tests.support.plugin.ops;

                    import dev.cove.api.events.LogLevel;
                    import dev.cove.api.events.LogMessage;
                    import dev.cove.rpc.Action;
                    import dev.cove.rpc.CallContext;
                    import dev.cove.rpc.Handler;
                    import dev.cove.rpc.server.EventHub;
                    import dev.cove.tests.support.plugin.Burst;
                    import dev.cove.tests.support.plugin.BurstDone;

                    import java.time.Instant;
                    import java.util.concurrent.locks.LockSupport;

                    @Action("test.burst")
                    public final class BurstOp implements Handler<Burst, BurstDone> {
                        private final EventHub hub;

                        public BurstOp(EventHub hub) {
                            this.hub = hub;
                        }

                        @Override
                        public BurstDone handle(Burst input, CallContext context) {
                            long start = System.nanoTime();
                            String thread = Thread.currentThread().getName();
                            int batch = Math.max(1, input.batch());
                            for (int i = 1; i <= input.count(); i++) {
                                hub.publish(new LogMessage(Instant.now(), LogLevel.INFO, input.target(), "burst " + i,
                                        thread, null));
                                if (i % batch == 0 && input.pauseMicros() > 0) {
                                    LockSupport.parkNanos(input.pauseMicros() * 1000);
                                }
                            }
                            return new BurstDone(input.count(), (System.nanoTime() - start) / 1_000_000);
                        }
                    }
                    """,
            "LogOp", """
                    package dev.cove.tests.support.plugin.ops;

                    import dev.cove.rpc.Action;
                    import dev.cove.rpc.CallContext;
                    import dev.cove.rpc.Handler;
                    import dev.cove.tests.support.plugin.LogLines;
                    import dev.cove.tests.support.plugin.LogLinesDone;
                    import org.slf4j.Logger;
                    import org.slf4j.LoggerFactory;

                    @Action("test.log")
                    public final class LogOp implements Handler<LogLines, LogLinesDone> {
                        private static final Logger log = LoggerFactory.getLogger(LogOp.class);

                        @Override
                        public LogLinesDone handle(LogLines input, CallContext context) {
                            log.debug("{} debug", input.tag());
                            log.info("{} info", input.tag());
                            log.warn("{} warn", input.tag());
                            return new LogLinesDone(log.getName());
                        }
                    }
                    """,
            "SleepOp", """
                    package dev.cove.tests.support.plugin.ops;

                    import dev.cove.rpc.CallContext;
                    import dev.cove.rpc.Handler;
                    import dev.cove.rpc.Query;
                    import dev.cove.tests.support.plugin.Sleep;
                    import dev.cove.tests.support.plugin.Slept;

                    @Query("test.sleep")
                    public final class SleepOp implements Handler<Sleep, Slept> {
                        @Override
                        public Slept handle(Sleep input, CallContext context) throws InterruptedException {
                            Thread.sleep(input.millis());
                            return new Slept(input.millis());
                        }
                    }
                    """);

    private static Path built;

    private TestPlugin() {
    }

    /** Copies the plugin jar into {@code {dataDir}/plugins/} and returns its path there. */
    public static Path installInto(Path dataDir) {
        try {
            Path dir = Files.createDirectories(dataDir.resolve("plugins"));
            return Files.copy(jar(), dir.resolve("cove-test-plugin.jar"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jar, compiled and packed on first use (once per test JVM). */
    public static synchronized Path jar() {
        if (built == null) {
            try {
                built = build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return built;
    }

    private static Path build() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in " + System.getProperty("java.home") + ": run the tests on a JDK");
        }
        Path work = Files.createTempDirectory("cove-test-plugin");
        Reaper.deleteOnExit(work);
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<JavaFileObject> units = new ArrayList<>();
        SOURCES.forEach((name, src) -> units.add(new Source(OPS_PACKAGE + "." + name, src)));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(classes));
            List<String> options = List.of("--release", "21", "-proc:none", "-classpath", Jvm.testClasspath());
            boolean ok = javac.getTask(null, files, diagnostics, options, null, units).call();
            if (!ok) {
                StringBuilder sb = new StringBuilder("the test plugin does not compile:");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    sb.append('\n').append(d);
                }
                throw new IllegalStateException(sb.toString());
            }
        }
        Path jar = work.resolve("cove-test-plugin.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            addTree(out, classes, classes);
            // the contract records travel in the jar too, taken from the test classes
            Path testClasses = codeSource(Echo.class);
            Path contracts = testClasses.resolve(Echo.class.getPackageName().replace('.', '/'));
            try (Stream<Path> s = Files.list(contracts)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    put(out, testClasses.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
        }
        return jar;
    }

    private static void addTree(JarOutputStream out, Path root, Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                put(out, root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        JarEntry e = new JarEntry(name.replace('\\', '/'));
        out.putNextEntry(e);
        out.write(bytes);
        out.closeEntry();
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }

        @Override
        public OutputStream openOutputStream() {
            throw new UnsupportedOperationException();
        }
    }
}
