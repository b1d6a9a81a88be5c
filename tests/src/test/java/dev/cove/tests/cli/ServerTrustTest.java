package dev.cove.tests.cli;

import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.DaemonProcess;
import dev.cove.tests.support.OtherUser;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 on the Java side, with a real other user ({@code nobody}, through setpriv): every Java client
 * authenticates the server before it sends a byte, the daemon's owner is its own uid, and the path rule keeps a
 * daemon from starting in, or changing, a folder another user made. Skips only when not run as root (see
 * {@link OtherUser#require()}); CI runs as root.
 */
class ServerTrustTest {
    /** A server run as nobody on the owner's socket path: greets like a daemon and logs every byte it receives. */
    private static final String FAKE_SERVER = """
            import os, socket, sys
            path, log = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)
            os.chmod(path, 0o666)
            s.listen(16)
            print("READY", flush=True)
            n = 0
            while True:
                c, _ = s.accept()
                n += 1
                c.settimeout(5)
                try:
                    c.sendall(b'{"type":"hello","protocol":1,"server":"cove","version":"0.1.0","instance":"default",'
                              b'"pid":1,"encodings":["json","kryo"]}\\n')
                except OSError:
                    pass
                got = b""
                try:
                    while True:
                        b = c.recv(65536)
                        if not b:
                            break
                        got += b
                except OSError:
                    pass
                c.close()
                with open(log, "a") as f:
                    f.write("connection %d: %d bytes %r\\n" % (n, len(got), got))
            """;

    private Path base;
    private Path data;
    private Process fake;

    @BeforeEach
    void setUp() throws IOException {
        OtherUser.require();
        base = Files.createTempDirectory(Path.of("/tmp"), "cove-trust");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = base.resolve("data");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (fake != null) {
            fake.destroyForcibly();
        }
        try (Stream<Path> walk = Files.walk(base)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** DATA/daemon made by nobody (0777), as nobody could in a shared place; nobody listens on its socket. */
    private Path nobodysDaemonFolderWithAFakeServer() throws Exception {
        Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path daemon = data.resolve("daemon");
        Files.createDirectory(daemon);
        Files.setOwner(daemon, daemon.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        Files.setPosixFilePermissions(daemon, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path script = base.resolve("fake-server.py");
        Files.writeString(script, FAKE_SERVER, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Path log = daemon.resolve("received.log");
        fake = new ProcessBuilder("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "/usr/bin/python3", script.toString(), daemon.resolve("daemon.sock").toString(), log.toString())
                .redirectErrorStream(true).start();
        Reaper.register(fake.toHandle());
        BufferedReader out = new BufferedReader(new InputStreamReader(fake.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("READY", out.readLine(), "the fake server listens as nobody");
        return log;
    }

    @Test
    void theCliAndCoreClientSendNothingToAServerOfAnotherUser() throws Exception {
        Path log = nobodysDaemonFolderWithAFakeServer();
        Cli cli = new Cli(data);
        List<String> errors = new ArrayList<>();
        // through the real entry point as bin/cove runs it
        for (String[] args : List.of(new String[]{"ping"}, new String[]{"library", "list"}, new String[]{"status"})) {
            Cli.Result r = cli.runProcess(args);
            assertEquals(6, r.exit(), "cove " + String.join(" ", args) + " refuses nobody's server: " + r);
            assertTrue(r.err().contains("nobody") && r.err().contains("served by another user")
                    && r.err().contains(data.resolve("daemon").resolve("daemon.sock").toString()), r.toString());
            errors.add(r.err());
        }
        // CoreClient, as the GraphQL server and the desktop use it
        try (CoreClient c = CoreClient.builder().instance(new InstancePaths(data, "default")).build()) {
            RpcException e = assertThrows(RpcException.class, c::connect);
            assertEquals(ErrorCode.UNTRUSTED_SERVER, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("nobody"), e.getMessage());
            assertEquals("nobody", e.details().get("user"));
            assertEquals(65534L, ((Number) e.details().get("uid")).longValue());
        }
        Await.until(Duration.ofSeconds(30), () -> lines(log).size() >= 4, () -> "each connection logged: " + lines(log));
        for (String line : lines(log)) {
            assertTrue(line.contains(": 0 bytes"), "nobody's server received nothing: " + lines(log));
        }
        System.out.println("[trust] " + errors.get(0).strip());
    }

    @Test
    void theNativeClientSendsNothingToAServerOfAnotherUserAndSaysWhatTheCliSays() throws Exception {
        Path log = nobodysDaemonFolderWithAFakeServer();
        Cli cli = new Cli(data);
        Cli.Result jvm = cli.runProcess("status");
        List<String> cmd = new ArrayList<>(List.of(dev.cove.tests.support.NativeClient.binary().toString(),
                "--data-dir", data.toString(), "status"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("COVE_"));
        pb.environment().putAll(dev.cove.tests.support.NativeClient.env());
        Process p = pb.start();
        Reaper.register(p.toHandle());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(6, p.exitValue(), out + err);
        assertEquals(jvm.err(), err, "the native client's refusal is the CLI's own");
        assertTrue(err.contains("nobody") && err.contains("served by another user"), err);
        Await.until(Duration.ofSeconds(30), () -> lines(log).size() >= 2, () -> "each connection logged: " + lines(log));
        for (String line : lines(log)) {
            assertTrue(line.contains(": 0 bytes"), "nobody's server received nothing: " + lines(log));
        }
    }

    @Test
    void theDaemonRefusesADaemonFolderOfAnotherUserAndChangesNothing() throws Exception {
        nobodysDaemonFolderWithAFakeServer();
        DaemonProcess.Result r = DaemonProcess.runToExit(data, "default", Duration.ofSeconds(60));
        assertEquals(3, r.exitCode(), "the daemon refuses to start: " + r);
        assertTrue(r.stderr().contains("nobody") && r.stderr().contains(data.resolve("daemon").toString()), r.stderr());
        assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("daemon"),
                LinkOption.NOFOLLOW_LINKS)), "nobody's folder was not touched");
        assertFalse(Files.exists(data.resolve("daemon").resolve("daemon.lock")), "no lock was written there");
    }

    @Test
    void theDaemonRefusesADaemonFolderThatIsASymlinkAndLeavesItsTargetAlone() throws Exception {
        Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path victim = base.resolve("victim");
        Files.createDirectory(victim);
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(data.resolve("daemon"), victim);
        DaemonProcess.Result r = DaemonProcess.runToExit(data, "default", Duration.ofSeconds(60));
        assertEquals(3, r.exitCode(), "the daemon refuses to start: " + r);
        assertTrue(r.stderr().contains("symlink") && r.stderr().contains(data.resolve("daemon").toString()), r.stderr());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)),
                "the link's target keeps its mode");
        try (Stream<Path> s = Files.list(victim)) {
            assertEquals(List.of(), s.toList(), "no lock or socket was put in the link's target");
        }
    }

    @Test
    void anExistingLooseDataFolderIsTightenedAndTheLogSaysSoOnce() throws Exception {
        List<String> folders = List.of("", "logs", "libraries", "daemon");
        for (String dir : folders) {
            Files.createDirectories(data.resolve(dir));
            Files.setPosixFilePermissions(data.resolve(dir), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path logFile = data.resolve("logs").resolve("daemon.log");
        Files.writeString(logFile, "an earlier run\n");
        Files.setPosixFilePermissions(logFile, PosixFilePermissions.fromString("rw-r--r--"));
        Cli cli = new Cli(data);
        try {
            Cli.Result start = cli.runProcess("start"); // as a user starts it: the CLI launches the daemon
            assertEquals(0, start.exit(), start.toString());
            for (String dir : folders) {
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(dir))),
                        "tightened: " + data.resolve(dir));
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(logFile)));
            String log = Files.readString(logFile);
            for (String dir : folders) {
                Path p = data.resolve(dir);
                assertTrue(log.lines().anyMatch(l -> l.contains("tightened " + p + " from rwxr-xr-x to rwx------")),
                        "the log says " + p + " was tightened:\n" + log);
            }
            assertTrue(log.contains("tightened " + logFile + " from rw-r--r-- to rw-------"), log);
            long said = log.lines().filter(l -> l.contains("tightened ")).count();
            assertEquals(0, cli.runProcess("shutdown").exit());
            assertEquals(0, cli.runProcess("start").exit());
            assertEquals(said, Files.readString(logFile).lines().filter(l -> l.contains("tightened ")).count(),
                    "said once: the next start finds them tight");
        } finally {
            cli.runProcess("shutdown");
        }
    }

    @Test
    void aDataDirThatCannotBeUsedIsNamedWithItsFixByEveryCommand() throws Exception {
        Path file = base.resolve("a-file");
        Files.writeString(file, "not a folder\n");
        for (Path dir : List.of(file, Path.of("/proc/nope"))) {
            Cli cli = new Cli(dir).outputIn(base);
            for (String[] args : List.of(new String[]{"start"}, new String[]{"status"}, new String[]{"ping"},
                    new String[]{"library", "list"})) {
                Cli.Result r = cli.runProcess(args);
                String what = "cove --data-dir " + dir + " " + String.join(" ", args);
                assertEquals(6, r.exit(), what + ": " + r);
                assertTrue(dir.equals(file) ? r.err().contains(file + " is not a folder") && r.err().contains("mv " + file)
                        : r.err().contains("/proc/nope cannot be created") && r.err().contains("--data-dir"),
                        what + " says what is wrong and the fix: " + r);
                assertFalse(r.err().contains("could not start"), what + ": " + r);
                assertFalse(r.err().contains("`cove start`"), what + " does not recommend the same failing start: " + r);
            }
        }
    }

    @Test
    void aReadOnlyDataDirIsNamedWithItsFixByEveryCommand() throws Exception {
        Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        // a private mount namespace in which the data folder is a read-only bind mount: the machine sees no change
        List<String> readOnly = List.of("unshare", "-m", "sh", "-c", "mount --bind \"$0\" \"$0\" && "
                + "mount -o remount,bind,ro \"$0\" \"$0\" && shift && exec \"$@\"", data.toString(), "--");
        Cli cli = new Cli(data);
        for (String[] args : List.of(new String[]{"start"}, new String[]{"status"}, new String[]{"ping"},
                new String[]{"library", "list"})) {
            Cli.Result r = cli.runProcess(readOnly, args);
            String what = "cove " + String.join(" ", args) + " on a read-only data folder";
            assertEquals(6, r.exit(), what + ": " + r);
            assertTrue(r.err().contains("read-only file system") && r.err().contains("--data-dir"), what + ": " + r);
            assertFalse(r.err().contains("`cove start`"), what + " does not recommend the same failing start: " + r);
        }
        assertFalse(Files.exists(data.resolve("daemon")), "nothing was created");
    }

    private static List<String> lines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
