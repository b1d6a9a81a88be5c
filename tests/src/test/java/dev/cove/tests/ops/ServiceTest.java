package dev.cove.tests.ops;

import dev.cove.api.core.Ping;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.ops.OpsCli.Result;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cove service}: the unit it writes, checked line by line, by systemd's own verifier when it is
 * installed, and by running its ExecStart by hand. This machine has no running systemd user manager, so
 * enabling is tested as the clear failure a user without one gets.
 */
class ServiceTest {
    @TempDir
    Path tmp;

    OpsCli cli;
    Path config;

    @BeforeEach
    void setUp() {
        config = tmp.resolve("config");
        Path launcher = Path.of("").toAbsolutePath().resolveSibling("bin").resolve("cove");
        cli = new OpsCli(tmp.resolve("data")).withEnv("XDG_CONFIG_HOME", config.toString())
                .withEnv("COVE_LAUNCHER", launcher.toString());
    }

    @AfterEach
    void tearDown() {
        cli.killAll();
    }

    @Test
    void installWritesAUnitWhoseExecStartRunsADaemonAndUninstallRemovesIt() throws Exception {
        Result install = cli.run("service", "install", "--no-enable", "--memory-max", "512M", "--cpu-quota", "50",
                "--idle-timeout", "10m");
        assertEquals(0, install.exit(), install::toString);
        Path unit = config.resolve("systemd/user/cove.service");
        assertTrue(install.out().contains("Wrote " + unit), install::toString);
        assertTrue(install.out().contains("systemctl --user daemon-reload && systemctl --user enable --now cove.service"),
                install::toString);
        String text = Files.readString(unit);
        List<String> lines = text.lines().toList();
        for (String expected : new String[]{"[Unit]", "[Service]", "[Install]", "Type=simple", "Restart=on-failure",
                "MemoryMax=536870912", "CPUQuota=50%", "WantedBy=default.target", "StartLimitBurst=5",
                "Environment=COVE_NO_BUILD=1"}) {
            assertTrue(lines.contains(expected), () -> expected + " in\n" + text);
        }
        String execStop = value(lines, "ExecStop");
        assertTrue(execStop.startsWith("-") && execStop.endsWith("--data-dir " + cli.dataDir()
                + " --instance default stop"), text);
        List<String> start = split(value(lines, "ExecStart"));
        assertTrue(Files.isExecutable(Path.of(start.get(0))), "ExecStart's program is absolute and executable: " + start);
        assertTrue(start.containsAll(List.of("dev.cove.daemon.DaemonMain", "--data-dir", cli.dataDir().toString(),
                "--instance", "default", "--idle-timeout", "10m")), start::toString);

        verifyWithSystemd(unit);

        // ExecStart, run by hand, is a daemon in the foreground (what systemd would run)
        Process daemon = new ProcessBuilder(start).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("execstart.out").toFile()).start();
        Reaper.register(daemon.toHandle());
        InstancePaths paths = cli.paths();
        Await.until(Duration.ofSeconds(30), () -> answers(paths, daemon.pid()) || !daemon.isAlive(),
                "the ExecStart daemon to answer");
        assertTrue(daemon.isAlive(), () -> "ExecStart exited: " + read(tmp.resolve("execstart.out")));
        Result status = cli.run("service", "status");
        assertEquals(0, status.exit(), status::toString);
        assertTrue(status.out().contains("cove.service") && status.out().contains("file      " + unit), status::toString);
        assertTrue(status.out().contains("MemoryMax 536870912"), status::toString);
        assertTrue(status.out().contains("daemon    running (pid " + daemon.pid() + ")"), status::toString);
        daemon.destroy(); // systemd stops a service with SIGTERM
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, daemon.exitValue(), "a clean stop on SIGTERM, which Restart=on-failure leaves stopped");

        Result uninstall = cli.run("service", "uninstall");
        assertEquals(0, uninstall.exit(), uninstall::toString);
        assertTrue(uninstall.out().contains("Removed " + unit), uninstall::toString);
        assertFalse(Files.exists(unit));
        Result after = cli.run("service", "status");
        assertEquals(1, after.exit(), after::toString);
        assertTrue(after.err().contains("no service is installed"), after::toString);
        Result again = cli.run("service", "uninstall");
        assertEquals(1, again.exit(), again::toString);
    }

    @Test
    void aNamedInstanceGetsItsOwnUnit() throws IOException {
        Result install = cli.run("--instance", "work", "service", "install", "--no-enable");
        assertEquals(0, install.exit(), install::toString);
        Path unit = config.resolve("systemd/user/cove-work.service");
        assertTrue(Files.readString(unit).contains("--instance work"), install::toString);
        assertFalse(Files.exists(config.resolve("systemd/user/cove.service")));
    }

    @Test
    void withoutASystemdUserManagerInstallWritesTheUnitAndSaysWhatToDo() throws IOException {
        // systemctl on the PATH or not, no user manager answers in a test environment without a session
        Result install = cli.withEnv("XDG_RUNTIME_DIR", tmp.resolve("no-runtime").toString())
                .withEnv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + tmp.resolve("no-bus"))
                .run("service", "install", "--cpu-quota", "150%");
        assertEquals(1, install.exit(), install::toString);
        assertTrue(install.err().contains("the unit is written but not enabled"), install::toString);
        assertTrue(install.err().contains("systemctl --user daemon-reload && systemctl --user enable --now cove.service"),
                install::toString);
        assertTrue(install.err().contains("start --supervise"), install::toString);
        assertTrue(Files.readString(config.resolve("systemd/user/cove.service")).contains("CPUQuota=150%"));
    }

    @Test
    void badLimitsAreUsageErrors() {
        Result mem = cli.run("service", "install", "--no-enable", "--memory-max", "lots");
        assertEquals(2, mem.exit(), mem::toString);
        assertTrue(mem.err().contains("--memory-max"), mem::toString);
        Result cpu = cli.run("service", "install", "--no-enable", "--cpu-quota", "0");
        assertEquals(2, cpu.exit(), cpu::toString);
        assertFalse(Files.exists(config.resolve("systemd/user/cove.service")), "nothing written for a bad option");
    }

    /**
     * systemd-analyze --user verify: exit status 0 and no complaint about the file (it only warns, with status
     * 0, about a value it ignores). Skipped where systemd-analyze is not installed.
     */
    private void verifyWithSystemd(Path unit) throws IOException, InterruptedException {
        Optional<Path> tool = onPath("systemd-analyze");
        Assumptions.assumeTrue(tool.isPresent(), "systemd-analyze is not installed; the unit was checked line by line only");
        Path runtime = Files.createDirectories(tmp.resolve("runtime"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        ProcessBuilder pb = new ProcessBuilder(tool.get().toString(), "--user", "verify", unit.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("verify.out").toFile());
        pb.environment().put("XDG_CONFIG_HOME", config.toString());
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString()); // --user needs one, even to verify
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze finished");
        String out = read(tmp.resolve("verify.out"));
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains(unit.getFileName().toString()), "no complaint about the unit:\n" + out);
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String value(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + "= in the unit"));
    }

    /** systemd's command-line splitting, as far as the unit uses it: words, "double quotes", %% and $$. */
    private static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (!quoted && c == ' ') {
                if (any || !cur.isEmpty()) {
                    words.add(cur.toString().replace("%%", "%").replace("$$", "$"));
                }
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
            }
        }
        if (any || !cur.isEmpty()) {
            words.add(cur.toString().replace("%%", "%").replace("$$", "$"));
        }
        return words;
    }

    private static boolean answers(InstancePaths paths, long pid) {
        try (CoreClient c = CoreClient.builder().instance(paths).connectRetry(Duration.ZERO)
                .timeout(Duration.ofSeconds(5)).build()) {
            return c.call(new Ping()).pid() == pid;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
