package dev.cove.tests.clients;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.support.Jvm;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Python client's own suite ({@code clients/python/tests}, standard-library unittest) against real daemons:
 * run once here, each Python test reported as a test of its own so Surefire counts them. The daemons are
 * started by the Python tests from the command this JVM would use ({@code COVE_TEST_DAEMON}), and auto-start
 * goes through {@code COVE_DAEMON_CLASSPATH}, as bin/cove sets it for the CLI.
 */
class PythonClientTest {
    static final Path PYTHON_CLIENT = repoRoot().resolve("clients").resolve("python");

    @TempDir
    static Path tmp;

    @TestFactory
    List<DynamicTest> pythonSuite() throws Exception {
        String python = python();
        Path results = tmp.resolve("results.json");
        Path output = tmp.resolve("unittest.out");
        ProcessBuilder pb = new ProcessBuilder(python, PYTHON_CLIENT.resolve("tests").resolve("junit_run.py").toString(),
                results.toString()).directory(PYTHON_CLIENT.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("COVE_") || k.equals("XDG_DATA_HOME"));
        env.put("COVE_TEST_DAEMON", Json.MAPPER.writeValueAsString(Jvm.daemonCommand()));
        env.put("COVE_DAEMON_CLASSPATH", Jvm.daemonClasspath());
        env.put("COVE_JAVA", Jvm.java());
        env.put("COVE_JAVA_OPTS", String.join(" ", Jvm.flags()));
        env.put("COVE_TEST_TMP", tmp.resolve("py").toString());
        env.put("COVE_DATA_DIR", tmp.resolve("unused-default").toString()); // no test may touch the user's own
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the source tree
        env.put("PYTHONUNBUFFERED", "1");
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the Python suite did not finish within 10 minutes\n" + tail(output));
        }
        if (!Files.exists(results)) {
            fail("the Python suite wrote no results (exit " + p.exitValue() + ")\n" + tail(output));
        }
        JsonNode records = Json.MAPPER.readTree(results.toFile());
        String log = tail(output);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode r : records) {
            String id = r.path("id").asText();
            String outcome = r.path("outcome").asText();
            String detail = r.path("detail").asText();
            tests.add(DynamicTest.dynamicTest(id.replaceFirst("^test_", ""), () -> {
                if (!outcome.equals("ok")) {
                    fail("Python test " + id + " " + outcome + ":\n" + detail + "\n--- unittest output ---\n" + log);
                }
            }));
        }
        // a suite that found nothing to run must not pass: the counts the issue asks for are listed here
        tests.add(DynamicTest.dynamicTest("the whole suite ran", () -> {
            assertTrue(records.size() >= 24, "only " + records.size() + " Python tests ran\n" + log);
            assertEquals(0, p.exitValue(), "unittest failed\n" + log);
        }));
        return tests;
    }

    /** The README's install command, on a machine with no package index: nothing may need the network. */
    @Test
    void pipInstallWorksOffline() throws Exception {
        String python = python();
        Path target = tmp.resolve("site");
        ProcessBuilder pb = new ProcessBuilder(python, "-m", "pip", "install", "--no-index", "--target",
                target.toString(), "./clients/python").directory(repoRoot().toFile()).redirectErrorStream(true);
        pb.environment().put("PIP_CONFIG_FILE", "/dev/null"); // no mirror, no find-links: as offline as it gets
        pb.environment().put("PIP_NO_INDEX", "1");
        pb.environment().remove("PIP_FIND_LINKS");
        pb.environment().remove("PIP_EXTRA_INDEX_URL");
        pb.environment().put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        String out = run(pb);
        assertTrue(Files.exists(target.resolve("cove").resolve("py.typed")), "py.typed is installed\n" + out);
        assertTrue(Files.exists(target.resolve("cove").resolve("sessions.py")), out);
        ProcessBuilder check = new ProcessBuilder(python, "-c",
                "import cove, inspect; print(cove.__version__, inspect.signature(cove.session))")
                .directory(tmp.toFile()).redirectErrorStream(true);
        check.environment().put("PYTHONPATH", target.toString());
        String printed = run(check);
        assertTrue(printed.startsWith("0.1.0 (app"), printed);
    }

    private static String run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", pb.command()) + " failed:\n" + out);
        return out;
    }

    /**
     * python3 (3.9+) from the PATH; as root on Debian, installed with apt-get when missing (with pip and venv),
     * so CI on a fresh machine runs these tests instead of skipping them.
     */
    static synchronized String python() throws IOException, InterruptedException {
        if (works("python3", "-c", "import sys, pip; assert sys.version_info >= (3, 9)")) {
            return "python3";
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root && works("apt-get", "--version")) {
            works("apt-get", "update");
            works("apt-get", "install", "-y", "python3", "python3-pip", "python3-venv");
            if (works("python3", "-c", "import sys, pip; assert sys.version_info >= (3, 9)")) {
                return "python3";
            }
        }
        fail("the Python client tests need python3 (3.9 or newer) with pip: install them (Debian: "
                + "`sudo apt-get install -y python3 python3-pip`) and run the tests again");
        return null;
    }

    private static boolean works(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    static Path repoRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("clients").resolve("python")) && Files.exists(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("cannot find the repository (with clients/python) above " + dir);
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
    }
}
