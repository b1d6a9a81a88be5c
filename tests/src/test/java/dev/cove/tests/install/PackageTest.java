package dev.cove.tests.install;

import dev.cove.tests.support.Await;
import dev.cove.tests.support.DebianPackage;
import dev.cove.tests.support.Reaper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code bin/package} makes, used as a person without a JDK or Maven uses it: the tarball unpacked into a
 * temporary folder and run with {@code JAVA_HOME} unset and a {@code PATH} whose {@code java}, {@code javac} and
 * {@code mvn} are decoys that fail loudly and leave a note; the .deb installed into a throwaway root and removed
 * again; the Python wheel installed offline into a fresh venv.
 *
 * <p>Tagged {@code package}: part of {@code bin/test}, and {@code -Dcove.test.excluded=package} leaves it out of a
 * quick local run. It uses {@code dist/} as {@code bin/package} left it, and makes it ({@code bin/package --no-build},
 * about 90 s here) when it is missing or older than the jars (docs/install.md).
 */
@Tag("package")
class PackageTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern GRAPHIQL = Pattern.compile("Open GraphiQL: (http://[^/\\s#]+)");
    private static Path tarball;
    private static Path deb;
    private static Path wheel;
    private static String version;

    @TempDir
    Path tmp;
    private Path decoys;
    private Path decoyNotes;
    private Path data;
    private Path cove;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void packages() throws Exception {
        version = new String(new ProcessBuilder("sed", "-n", "s|^  <version>\\(.*\\)</version>|\\1|p",
                ROOT.resolve("pom.xml").toString()).start().getInputStream().readAllBytes()).lines().findFirst().orElseThrow();
        Path dist = ROOT.resolve("dist");
        tarball = dist.resolve("cove-" + version + "-linux-x64.tar.gz");
        deb = dist.resolve("cove_" + version + "_amd64.deb");
        wheel = dist.resolve("cove-" + version + "-py3-none-any.whl");
        Path cliJar = ROOT.resolve("clients/cli/target/cove-cli-" + version + ".jar");
        boolean stale = Stream.of(tarball, deb, wheel).anyMatch(f -> !Files.exists(f))
                || Files.getLastModifiedTime(ROOT.resolve("clients/go/cmd/cove/main.go")).compareTo(Files.getLastModifiedTime(tarball)) > 0
                || Files.getLastModifiedTime(cliJar).compareTo(Files.getLastModifiedTime(tarball)) > 0;
        // the package carries the native client when Go is there at package time: make it be, as on a build machine
        Path go = DebianPackage.ensure("golang-go", "bin/package builds the native cove client with Go", List.of("go"),
                Path.of("/usr/lib/go/bin"));
        if (stale) {
            DebianPackage.ensure("asciidoctor", "bin/package turns the man pages into troff with asciidoctor",
                    List.of("asciidoctor"));
            ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("bin/package").toString(), "--no-build")
                    .redirectErrorStream(true);
            pb.environment().put("PATH", go.getParent() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
            Process p = pb.start();
            Reaper.register(p.toHandle());
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "bin/package did not end: " + out);
            assertEquals(0, p.exitValue(), "bin/package: " + out);
        }
    }

    /** Decoys for the tools an installed Cove must never need; each call leaves its name in a note. */
    private void decoys() throws IOException {
        decoys = Files.createDirectories(tmp.resolve("decoys"));
        decoyNotes = tmp.resolve("decoys-called");
        for (String tool : List.of("java", "javac", "mvn")) {
            Path f = decoys.resolve(tool);
            Files.writeString(f, "#!/bin/sh\necho \"decoy " + tool + " called: $*\" >&2\necho " + tool + " >> '"
                    + decoyNotes + "'\nexit 97\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** The environment of a person with no JDK and no Maven: no JAVA_HOME, decoys first on the PATH. */
    private void userEnvironment(Map<String, String> env) {
        env.remove("JAVA_HOME");
        env.remove("COVE_DATA_DIR");
        env.remove("COVE_JAVA_OPTS");
        env.remove("COVE_NO_BUILD");
        env.remove("MAVEN_OPTS");
        env.put("PATH", decoys + ":" + cove.getParent() + ":/usr/local/bin:/usr/bin:/bin");
        env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    }

    private ProcessBuilder cove(String... args) {
        List<String> cmd = new ArrayList<>(List.of(cove.toString(), "--data-dir", data.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        userEnvironment(pb.environment());
        return pb;
    }

    private record Result(int exit, String out) {
    }

    private static Result run(ProcessBuilder pb) throws Exception {
        Process p = pb.redirectErrorStream(true).start();
        Reaper.register(p.toHandle());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", pb.command()) + " did not end: " + out);
        return new Result(p.exitValue(), out);
    }

    private Result cove0(String... args) throws Exception {
        Result r = run(cove(args));
        assertEquals(0, r.exit(), "cove " + String.join(" ", args) + ": " + r.out());
        return r;
    }

    private long daemonPid() throws IOException {
        return Long.parseLong(Files.readString(data.resolve("daemon/daemon.lock")).strip());
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (data != null && Files.exists(data.resolve("daemon/daemon.sock"))) {
            run(cove("shutdown"));
        }
    }

    private Path unpack() throws Exception {
        Path into = Files.createDirectories(tmp.resolve("opt"));
        Result r = run(new ProcessBuilder("tar", "-C", into.toString(), "-xzf", tarball.toString()));
        assertEquals(0, r.exit(), r.out());
        return into.resolve("cove-" + version);
    }

    @Test
    void theTarballRunsEveryPartWithNoJdkAndNoMaven() throws Exception {
        decoys();
        Path tree = unpack();
        cove = tree.resolve("bin/cove");
        data = tmp.resolve("data");

        assertTrue(Files.isExecutable(tree.resolve("lib/native/cove")), "the package carries the native client");
        assertTrue(cove0("start").out().contains("Cove daemon started"));
        assertTrue(cove0("status").out().contains("Cove daemon is running"));
        Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(daemonPid()), "exe"));
        assertTrue(exe.startsWith(tree.resolve("runtime")), "the daemon runs on the package's runtime: " + exe);

        Path folder = Files.createDirectories(tmp.resolve("papers"));
        Files.writeString(folder.resolve("quarterly-needle-report.txt"), "x");
        cove0("library", "create", "papers");
        cove0("location", "add", "--wait", folder.toString());
        Result found = cove0("search", "needle");
        assertTrue(found.out().contains("quarterly-needle-report.txt"), found.out());

        Result ran = run(cove("run", "--app", "packaged", "--", "sh", "-c", "echo from-run; exit 7"));
        assertEquals(7, ran.exit(), "cove run passes on the program's exit status: " + ran.out());
        assertTrue(ran.out().contains("from-run"), ran.out());
        assertTrue(cove0("sessions", "list", "--app", "packaged").out().contains("packaged"));

        graphqlWithItsToken();

        // the commands above that talk to the daemon ran in it, through the native client (its cli.run calls)
        java.util.regex.Matcher hosted = java.util.regex.Pattern.compile(
                "cove_rpc_calls_total\\{method=\"action:cli\\.run\\.input\\.v1\"} ([0-9.]+)").matcher(cove0("metrics").out());
        assertTrue(hosted.find() && Double.parseDouble(hosted.group(1)) >= 5, "commands hosted by the daemon");

        cove0("shutdown");
        assertFalse(run(cove("status")).exit() == 0, "status after shutdown");
        assertFalse(Files.exists(decoyNotes), () -> "no decoy may be called, and these were: " + read(decoyNotes));
        assertTrue(Stream.of(".cove-build", "lib/aot/lock").noneMatch(p -> Files.exists(tree.resolve(p))),
                "an installed tree is never written to");
    }

    private void graphqlWithItsToken() throws Exception {
        Process gql = cove("graphql", "--port", "0").redirectErrorStream(true).start();
        started.add(gql);
        Reaper.register(gql.toHandle());
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(gql.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        String[] address = new String[1];
        Await.until(Duration.ofSeconds(90), () -> {
            synchronized (lines) {
                for (String line : lines) {
                    Matcher m = GRAPHIQL.matcher(line);
                    if (m.find()) {
                        address[0] = m.group(1);
                        return true;
                    }
                }
            }
            assertTrue(gql.isAlive(), () -> "cove graphql exited: " + lines);
            return false;
        }, () -> "the GraphiQL address in the output of the package's cove graphql: " + lines);
        Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(gql.pid()), "exe"));
        assertTrue(exe.startsWith(cove.getParent().getParent().resolve("runtime")), "graphql on the runtime: " + exe);

        String token = Files.readString(data.resolve("graphql/token")).strip();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder query = HttpRequest.newBuilder(URI.create(address[0] + "/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ librariesList { libraries { name } } }\"}"));
        HttpResponse<String> refused = http.send(query.copy().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode(), refused.body());
        HttpResponse<String> ok = http.send(query.copy().header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().contains("\"papers\""), ok.body());
        gql.destroy();
        assertTrue(gql.waitFor(20, TimeUnit.SECONDS), "the GraphQL server stops on SIGTERM");
    }

    @Test
    void theDebHasItsPathsInstallsIntoAThrowawayRootRunsAndLeavesNothingOnRemoval() throws Exception {
        Result list = run(new ProcessBuilder("dpkg-deb", "-c", deb.toString()));
        assertEquals(0, list.exit(), list.out());
        for (String path : List.of("./usr/bin/cove -> ../lib/cove/bin/cove", "./usr/lib/cove/runtime/bin/java",
                "./usr/lib/cove/bin/cove", "./usr/lib/cove/bin/lib/package.sh",
                "./usr/share/bash-completion/completions/cove", "./usr/share/man/man1/cove.1.gz",
                "./usr/share/man/man1/cove-search.1.gz", "./usr/lib/systemd/user/cove.service",
                "./usr/share/doc/cove/README.md", "./usr/share/zsh/vendor-completions/_cove")) {
            assertTrue(list.out().contains(" " + path + "\n") || list.out().contains(" " + path + " "),
                    () -> path + " in the .deb's file list:\n" + list.out());
        }

        // a root of our own with an empty dpkg database: the machine's own packages are left alone
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createFile(root.resolve("var/lib/dpkg/status"));
        // (libc6 is not in the empty database; the package has no maintainer scripts to chroot for)
        Result in = run(new ProcessBuilder("dpkg", "--root=" + root, "--force-depends", "--force-script-chrootless",
                "-i", deb.toString()));
        assertEquals(0, in.exit(), in.out());

        decoys();
        cove = root.resolve("usr/bin/cove");
        data = tmp.resolve("deb-data");
        cove0("start");
        Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(daemonPid()), "exe"));
        assertTrue(exe.startsWith(root.resolve("usr/lib/cove/runtime")), "the daemon runs on /usr/lib/cove's runtime: " + exe);
        cove0("library", "create", "kept");
        cove0("shutdown");
        assertFalse(Files.exists(decoyNotes), () -> "no decoy may be called, and these were: " + read(decoyNotes));

        Result out = run(new ProcessBuilder("dpkg", "--root=" + root, "--force-script-chrootless", "-r", "cove"));
        assertEquals(0, out.exit(), out.out());
        List<Path> left;
        try (Stream<Path> walk = Files.walk(root)) {
            left = walk.filter(p -> !p.startsWith(root.resolve("var/lib/dpkg")) && !Files.isDirectory(p)).toList();
        }
        assertEquals(List.of(), left, "dpkg -r leaves no file of the package behind");
        try (Stream<Path> walk = Files.walk(root.resolve("usr"))) {
            assertEquals(List.of(root.resolve("usr")), walk.toList(), "nor a folder of its own");
        } catch (java.nio.file.NoSuchFileException gone) {
            // removed whole: fine
        }
        try (Stream<Path> kept = Files.list(data)) {
            assertTrue(kept.findAny().isPresent(), "the user's data stays: " + data);
        }
    }

    @Test
    void theWheelInstallsOfflineAndAPythonSessionReachesThePackagedDaemon() throws Exception {
        decoys();
        Path tree = unpack();
        cove = tree.resolve("bin/cove");
        data = tmp.resolve("py-data");
        Path venv = tmp.resolve("venv");
        assertEquals(0, run(new ProcessBuilder("python3", "-m", "venv", venv.toString())).exit(), "python3 -m venv");
        Result pip = run(new ProcessBuilder(venv.resolve("bin/pip").toString(), "install", "--no-index", wheel.toString()));
        assertEquals(0, pip.exit(), pip.out());

        // the client starts the daemon itself through the package's `cove` on the PATH
        ProcessBuilder py = new ProcessBuilder(venv.resolve("bin/python").toString(), "-c", """
                import cove, sys
                with cove.Client(data_dir=sys.argv[1], auto_start=True) as c:
                    print("pid", c.call("query:core.status.v1")["pid"])
                with cove.session("PackagedPy", "1.0", data_dir=sys.argv[1]) as s:
                    s.event("hello", {"from": "wheel"})
                """, data.toString()).directory(tmp.toFile());
        userEnvironment(py.environment());
        Result r = run(py);
        assertEquals(0, r.exit(), r.out());
        Matcher m = Pattern.compile("pid (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        Path exe = Files.readSymbolicLink(Path.of("/proc", m.group(1), "exe"));
        assertTrue(exe.startsWith(tree.resolve("runtime")), "the daemon the wheel started runs on the package's runtime: " + exe);
        assertTrue(cove0("sessions", "list", "--app", "PackagedPy").out().contains("PackagedPy"));
        cove0("shutdown");
        assertFalse(Files.exists(decoyNotes), () -> "no decoy may be called, and these were: " + read(decoyNotes));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
