package dev.cove.tests.clients;

import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.DebianPackage;
import dev.cove.tests.support.Jvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the Go client's own tests ({@code clients/go}, {@code go test ./...}) against real daemons: a
 * shared one started here with the test support classes (its data folder in {@code COVE_DATA_DIR}),
 * and the ones the Go tests start, restart and auto-start themselves with the daemon command this
 * test puts in the environment ({@code COVE_DAEMON_CLASSPATH}, as the Go and Java clients read it).
 * Installs Debian's {@code golang-go} when {@code go} is missing and this runs as root; else skips,
 * naming the package.
 */
class GoClientTest {
    /** The Go tests that must have run and passed: a test that disappears fails this one. */
    private static final List<String> EXPECTED = List.of(
            "TestRegisterShowsInListAndEndsWithStatus", "TestStateDeepMergeNullDeleteAndNoOpsNotSent",
            "TestEventsArriveLiveAndAreStored", "TestHundredThousandPointsInASecondAsAFewDozenCalls",
            "TestKill9OfTheAppIsReportedAsCrash", "TestDaemonRestartMidRunLosesNothing",
            "TestAutoStartStartsOneDaemonForRacingClients", "TestPrivateDaemonExitsWithItsParent",
            "TestNoDaemonAndNoAutoStartSaysWhatToRun", "TestVersionMismatchSaysWhichSideToUpgrade",
            "TestInvalidPayloadCarriesTheDaemonsCode", "TestARetriedBatchIsAppliedOnce",
            "TestBufferIsBoundedWhileTheDaemonIsAway",
            // the native cove client (cmd/cove) and the streamed calls it is built on
            "TestWithARealDaemon", "TestHostedRunStreamsOutputForwardsStdinAndExits", "TestTheJVMPath",
            "TestSourcesChangedRunsBinCove", "TestDaemonGoneMidRun", "TestCtrlCBecomesTheCommandsCancellation",
            "TestAnotherBuild", "TestScanGlobals", "TestCommandEnv", "TestSourcesChanged",
            "TestStreamPartsInOrderBeforeResultAndCallsOnTheSameConnection", "TestStreamErrorAndLostConnection",
            "TestHelloBuildOfARealDaemon");
    /** The path rule's and the server check's tests need another user (nobody) and mount namespaces: root. */
    private static final List<String> EXPECTED_AS_ROOT = List.of("TestPathRulesTable",
            "TestForeignServerReceivesNothingAndIsNamed", "TestRenameExchangeRaceOnTheLinkFolderChangesNoMode",
            "TestATakenTmpLinkFolderFallsBackToXDGRuntimeDir");

    @TempDir
    Path tmp;

    @Test
    void goClientTestsPassAgainstARealDaemon() throws Exception {
        Path go = ensureGo();
        Path module = Path.of("").toAbsolutePath().getParent().resolve("clients/go");
        assertTrue(Files.isRegularFile(module.resolve("go.mod")), "no Go module at " + module);
        try (DaemonProcess daemon = DaemonProcess.start(tmp.resolve("data"))) {
            Path out = tmp.resolve("go-test.out");
            ProcessBuilder pb = new ProcessBuilder(go.toString(), "test", "-count=1", "-v", "./...")
                    .directory(module.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
            Map<String, String> env = pb.environment();
            env.put("COVE_DATA_DIR", daemon.dataDir().toString());
            env.put("COVE_DAEMON_CLASSPATH", Jvm.daemonClasspath());
            env.put("COVE_JAVA", Jvm.java());
            env.put("COVE_JAVA_OPTS", String.join(" ", Jvm.flags()));
            env.remove("COVE_LAUNCHER");
            // nothing may be fetched: the module has no dependencies, and no proxy is reachable anyway
            env.put("GOFLAGS", "-mod=mod");
            env.put("GOPROXY", "off");
            env.put("GOTOOLCHAIN", "local");
            env.put("GOTMPDIR", Files.createDirectories(tmp.resolve("gotmp")).toString());
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail("go test still runs after 10 minutes:\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "go test failed:\n" + output);
            List<String> passed = matches(output, "--- PASS: (\\w+)");
            List<String> skipped = matches(output, "--- SKIP: (\\w+)");
            assertTrue(skipped.isEmpty(), "Go tests skipped although a daemon command was given: " + skipped + "\n" + output);
            for (String t : EXPECTED) {
                assertTrue(passed.contains(t), t + " did not pass:\n" + output);
            }
            if ("root".equals(System.getProperty("user.name"))) {
                for (String t : EXPECTED_AS_ROOT) {
                    assertTrue(passed.contains(t), t + " did not pass:\n" + output);
                }
            }
        }
    }

    private static List<String> matches(String s, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(s);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The go tool; installs Debian's golang-go when missing and possible, else skips the test. */
    static Path ensureGo() throws Exception {
        return DebianPackage.ensure("golang-go", "the Go client tests need Go 1.19 or newer", List.of("go"),
                Path.of("/usr/lib/go/bin"));
    }
}
