package dev.cove.tests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native {@code cove} client (clients/go/cmd/cove), built once per test run the way bin/cove builds it
 * ({@code cove_build_native} of bin/lib/native.sh), in a build folder of its own under target/. Installs Debian's
 * golang-go when Go is missing and the tests run as root (else the tests that need it are skipped, naming it).
 */
public final class NativeClient {
    /** The repository: the tests run in its tests/ folder. */
    public static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static Path buildDir;

    private NativeClient() {
    }

    /** The build folder holding {@code native/cove}, a fresh {@code stamp} and no {@code build-id}. */
    public static synchronized Path buildDir() throws Exception {
        if (buildDir == null) {
            Path go = DebianPackage.ensure("golang-go", "the native client needs Go 1.19 or newer", List.of("go"),
                    Path.of("/usr/lib/go/bin"));
            Path dir = Files.createDirectories(Path.of("target", "native-client").toAbsolutePath());
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$1/bin/lib/native.sh\" && cove_build_native \"$1\" \"$2\"",
                    "build", ROOT.toString(), dir.toString()).redirectErrorStream(true);
            pb.environment().put("PATH", go.getParent() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
            pb.environment().put("GOPROXY", "off");
            pb.environment().put("GOTOOLCHAIN", "local");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "building the native client took over 5 minutes");
            assertEquals(0, p.exitValue(), "cove_build_native failed:\n" + out);
            assertTrue(Files.isExecutable(dir.resolve("native/cove")), "no native/cove after cove_build_native:\n" + out);
            // the jars this run tests are the build: the stamp is newer than every source
            Path stamp = dir.resolve("stamp");
            Files.writeString(stamp, "");
            Files.setLastModifiedTime(stamp, FileTime.from(Instant.now().plusSeconds(3600)));
            buildDir = dir;
        }
        return buildDir;
    }

    /** The native binary. */
    public static Path binary() throws Exception {
        return buildDir().resolve("native/cove");
    }

    /**
     * The environment bin/cove gives the native client, for a checkout whose jars Maven built for this run: the
     * JVM path it falls back to is bin/cove itself (COVE_NO_BUILD, COVE_NO_AOT: use those jars, train nothing).
     */
    public static Map<String, String> env() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("COVE_ROOT", ROOT.toString());
        env.put("COVE_BUILD_DIR", buildDir().toString());
        env.put("COVE_SELF", ROOT.resolve("bin/cove").toString());
        env.put("COVE_NO_BUILD", "1");
        env.put("COVE_NO_AOT", "1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    /** The environment of bin/cove's JVM path (what the native client falls back to), for comparisons. */
    public static Map<String, String> jvmEnv() {
        return Map.of("COVE_NATIVE_DONE", "1", "COVE_NO_BUILD", "1", "COVE_NO_AOT", "1",
                "JAVA_HOME", System.getProperty("java.home"));
    }

    /** Writes the build id the native client compares with the daemon's hello. */
    public static void buildId(Path buildDir, String id) throws IOException {
        Files.writeString(buildDir.resolve("build-id"), id + "\n");
    }
}
