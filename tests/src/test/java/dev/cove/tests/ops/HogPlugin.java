package dev.cove.tests.ops;

import dev.cove.tests.ops.plugin.Hog;
import dev.cove.tests.support.Jvm;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A plugin jar with one operation, {@code action:ops.hog.input.v1}, that retains memory in the daemon: a
 * leak to order, for the heap self-expiry test. Built like the shared TestPlugin (javax.tools at test
 * time, contract records copied from the test classes), so the daemon loads it as it would any plugin.
 */
final class HogPlugin {
    private static final String SOURCE = """
            package dev.cove.tests.ops.plugin.ops;

            import dev.cove.rpc.Action;
            import dev.cove.rpc.CallContext;
            import dev.cove.rpc.Handler;
            import dev.cove.tests.ops.plugin.Hog;
            import dev.cove.tests.ops.plugin.Hogged;

            import java.util.ArrayList;
            import java.util.List;

            @Action("ops.hog")
            public final class HogOp implements Handler<Hog, Hogged> {
                private static final List<byte[]> RETAINED = new ArrayList<>();

                @Override
                public Hogged handle(Hog input, CallContext context) {
                    synchronized (RETAINED) {
                        // quarter-MiB pieces: never "humongous" for G1, however small the heap's regions
                        for (int i = 0; i < input.megabytes() * 4; i++) {
                            RETAINED.add(new byte[1 << 18]);
                        }
                    }
                    System.gc(); // a collection now, so the heap after GC is measured with the leak in it
                    Runtime rt = Runtime.getRuntime();
                    return new Hogged((long) RETAINED.size() << 18, rt.totalMemory() - rt.freeMemory(), rt.maxMemory());
                }
            }
            """;

    private HogPlugin() {
    }

    static Path installInto(Path dataDir) {
        try {
            Path work = Files.createTempDirectory("cove-hog-plugin");
            Path classes = Files.createDirectories(work.resolve("classes"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
                files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(classes));
                JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///HogOp.java"), JavaFileObject.Kind.SOURCE) {
                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return SOURCE;
                    }
                };
                boolean ok = javac.getTask(null, files, null, List.of("--release", "21", "-proc:none", "-classpath",
                        Jvm.testClasspath()), null, List.of(unit)).call();
                if (!ok) {
                    throw new IllegalStateException("the hog plugin does not compile");
                }
            }
            Path testClasses = Path.of(Hog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.createDirectories(dataDir.resolve("plugins"));
            Path jar = dir.resolve("cove-hog-plugin.jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                for (Path root : List.of(classes, testClasses)) {
                    Path pkg = root == classes ? classes : testClasses.resolve(Hog.class.getPackageName().replace('.', '/'));
                    try (Stream<Path> walk = Files.walk(pkg, root == classes ? Integer.MAX_VALUE : 1)) {
                        for (Path p : walk.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                            out.putNextEntry(new JarEntry(root.relativize(p).toString().replace('\\', '/')));
                            out.write(Files.readAllBytes(p));
                            out.closeEntry();
                        }
                    }
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
