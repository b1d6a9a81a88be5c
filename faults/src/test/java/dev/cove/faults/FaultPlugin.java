package dev.cove.faults;

import dev.cove.tests.support.Jvm;
import dev.cove.tests.support.TestPlugin;
import dev.cove.tests.support.plugin.Echo;

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
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The tests module's plugin (echo, sleep, fail, burst, log ops), packed for this module. {@link TestPlugin}
 * reads its contract classes from a folder, but here the tests module reaches us as a jar (the test-jar),
 * so this builds the same plugin from the same sources reading the contracts out of that jar.
 */
final class FaultPlugin {
    private static Path built;

    private FaultPlugin() {
    }

    static Path installInto(Path dataDir) {
        try {
            Path dir = Files.createDirectories(dataDir.resolve("plugins"));
            return Files.copy(jar(), dir.resolve("cove-test-plugin.jar"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized Path jar() throws IOException {
        if (built != null) {
            return built;
        }
        Path source;
        try {
            source = Path.of(Echo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (Files.isDirectory(source)) {
            return built = TestPlugin.jar();
        }
        Map<String, String> sources;
        try {
            var f = TestPlugin.class.getDeclaredField("SOURCES");
            f.setAccessible(true);
            @SuppressWarnings("unchecked") Map<String, String> m = (Map<String, String>) f.get(null);
            sources = m;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the test plugin's sources", e);
        }
        Path work = Files.createTempDirectory("cove-fault-plugin");
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, src) -> units.add(new SimpleJavaFileObject(
                URI.create("string:///" + (TestPlugin.OPS_PACKAGE + "." + name).replace('.', '/') + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return src;
            }
        }));
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(classes));
            if (!javac.getTask(null, files, null, List.of("--release", "21", "-proc:none", "-classpath",
                    Jvm.testClasspath()), null, units).call()) {
                throw new IllegalStateException("the test plugin does not compile");
            }
        }
        Path jar = work.resolve("cove-test-plugin.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             FileSystem testJar = FileSystems.newFileSystem(source)) {
            try (Stream<Path> walk = Files.walk(classes)) {
                for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                    put(out, classes.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
            Path contracts = testJar.getPath(Echo.class.getPackageName().replace('.', '/'));
            try (Stream<Path> s = Files.list(contracts)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    put(out, p.toString().replaceFirst("^/", ""), Files.readAllBytes(p));
                }
            }
        }
        return built = jar;
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name.replace('\\', '/')));
        out.write(bytes);
        out.closeEntry();
    }
}
