package dev.cove.tests.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A tool a test needs from Debian's packages (Chromium, Go, Prometheus). When it is missing and the tests run as
 * root, it is installed with {@code apt-get} (with an {@code apt-get update} first only if the plain install
 * finds nothing), so that a fresh machine runs the test instead of skipping it; an install that fails fails the
 * test. Without root the test is skipped, naming the package to install.
 */
public final class DebianPackage {
    private DebianPackage() {
    }

    /**
     * The first of {@code commands} found on the PATH (or in {@code extraDirs}), installing {@code pkg} first
     * when none is.
     *
     * @param what what the test needs it for, for the skip message ("the Go client tests need Go 1.19 or newer")
     */
    public static synchronized Path ensure(String pkg, String what, List<String> commands, Path... extraDirs)
            throws IOException, InterruptedException {
        Path found = find(commands, extraDirs);
        if (found != null) {
            return found;
        }
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assumeTrue(uid == 0 && find(List.of("apt-get")) != null, what + ": install it with `sudo apt-get install -y "
                + pkg + "` and run the test again");
        String out = run("apt-get", "install", "-y", "-q", pkg);
        if (find(commands, extraDirs) == null) {
            out += run("apt-get", "update", "-q") + run("apt-get", "install", "-y", "-q", pkg);
        }
        found = find(commands, extraDirs);
        assertTrue(found != null, "apt-get could not install " + pkg + ":\n" + out);
        return found;
    }

    private static Path find(List<String> commands, Path... extraDirs) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            for (String c : commands) {
                Path p = Path.of(dir, c);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        for (Path dir : extraDirs) {
            for (String c : commands) {
                Path p = dir.resolve(c);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        return String.join(" ", cmd) + ":\n" + out;
    }
}
