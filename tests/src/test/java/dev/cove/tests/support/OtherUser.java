package dev.cove.tests.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Runs a tiny Python client as user {@code nobody} ({@code setpriv --reuid=nobody --regid=nogroup
 * --clear-groups}), so that security tests knock on Cove's doors as a real other user of the machine.
 * Only Python's standard library is used; nothing like socat has to be installed.
 *
 * <p>Skipping is allowed for one reason only, which cannot be fixed on the machine: the tests do not run
 * as root, so they cannot become another user. Running as root with a tool missing, the test installs it
 * (python3) or fails (setpriv is part of util-linux, which every Debian has): a security test never
 * passes by not running.
 */
public final class OtherUser {
    public static final String USER = "nobody";
    static final String SETPRIV = "/usr/bin/setpriv";

    /** Exit status and everything the client printed (stdout and stderr). */
    public record Run(int exit, String out) {
        /** The output's lines. */
        public List<String> lines() {
            return out.lines().toList();
        }
    }

    private static final String CLIENT = """
            # Cove's other-user test client (standard library only). Modes:
            #   unix PATH TEXT          connect to a Unix socket, send TEXT, print what comes back for 3 s
            #   http METHOD URL BODY [HEADER: VALUE]...   print the status code, then the body
            #   ws URL [HEADER: VALUE]... -- MESSAGE...   graphql-transport-ws: send each JSON message, print
            #                           TEXT <message> for each answer until the first next/error, or
            #                           CLOSE <code> <reason> when the server closes
            #   read PATH               print the file, or the error opening it
            #   listen PORT             listen on 127.0.0.1:PORT, print LISTENING, accept and drop until killed
            import socket, sys, os, base64, struct, urllib.request, urllib.error, urllib.parse

            def unix(path, text):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(3)
                try:
                    s.connect(path)
                except OSError as e:
                    print("connect failed:", e.strerror); sys.exit(1)
                s.sendall(text.encode())
                out = b""
                try:
                    while True:
                        b = s.recv(65536)
                        if not b: break
                        out += b
                except socket.timeout:
                    pass
                except OSError as e:
                    print("read failed:", e.strerror)
                print(out.decode(errors="replace"))

            def http(method, url, body, headers):
                req = urllib.request.Request(url, method=method, data=body.encode() if body else None)
                for h in headers:
                    k, v = h.split(":", 1); req.add_header(k.strip(), v.strip())
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        print(r.status); print(r.read().decode())
                except urllib.error.HTTPError as e:
                    print(e.code); print(e.read().decode())

            def ws(url, headers, messages):
                u = urllib.parse.urlparse(url)
                s = socket.create_connection((u.hostname, u.port), timeout=30)
                key = base64.b64encode(os.urandom(16)).decode()
                head = ("GET %s HTTP/1.1\\r\\nHost: %s:%d\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
                        "Sec-WebSocket-Key: %s\\r\\nSec-WebSocket-Version: 13\\r\\n"
                        "Sec-WebSocket-Protocol: graphql-transport-ws\\r\\n" % (u.path, u.hostname, u.port, key))
                for h in headers: head += h + "\\r\\n"
                s.sendall((head + "\\r\\n").encode())
                buf = b""
                while b"\\r\\n\\r\\n" not in buf:
                    b = s.recv(4096)
                    if not b: break
                    buf += b
                status = buf.split(b" ", 2)[1].decode() if buf else "none"
                if status != "101":
                    print("HTTP", status); return
                rest = buf.split(b"\\r\\n\\r\\n", 1)[1]
                def recv(n):
                    nonlocal rest
                    while len(rest) < n:
                        b = s.recv(65536)
                        if not b: raise EOFError()
                        rest += b
                    d, rest = rest[:n], rest[n:]
                    return d
                for m in messages:
                    p = m.encode(); mask = os.urandom(4)
                    n = len(p)
                    hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n))
                    s.sendall(hdr + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(p)))
                try:
                    while True:
                        b0, b1 = recv(2)
                        n = b1 & 0x7f
                        if n == 126: n = struct.unpack("!H", recv(2))[0]
                        elif n == 127: n = struct.unpack("!Q", recv(8))[0]
                        data = recv(n)
                        op = b0 & 0x0f
                        if op == 8:
                            code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                            print("CLOSE", code, data[2:].decode(errors="replace")); return
                        if op == 1:
                            print("TEXT", data.decode()); sys.stdout.flush()
                            if '"type":"next"' in data.decode() or '"type":"error"' in data.decode():
                                return  # one result is the proof; subscriptions would stream on
                except (EOFError, socket.timeout):
                    print("CLOSE none (connection ended)")

            def read(path):
                try:
                    with open(path) as f: print("READ", f.read().strip())
                except OSError as e:
                    print("cannot read:", e.strerror); sys.exit(1)

            def listen(port):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("127.0.0.1", int(port))); s.listen(16)
                print("LISTENING"); sys.stdout.flush()
                while True:
                    c, _ = s.accept(); c.close()

            mode = sys.argv[1]
            if mode == "unix": unix(sys.argv[2], sys.argv[3])
            elif mode == "http": http(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
            elif mode == "ws":
                args = sys.argv[3:]; cut = args.index("--")
                ws(sys.argv[2], args[:cut], args[cut + 1:])
            elif mode == "read": read(sys.argv[2])
            elif mode == "listen": listen(sys.argv[2])
            """;

    private OtherUser() {
    }

    /**
     * Makes sure the test can act as {@code nobody}: aborts (skips) only when not root, naming why; as
     * root, installs python3 when it is missing and fails when setpriv is missing.
     */
    public static void require() {
        String me = System.getProperty("user.name");
        if (!"root".equals(me)) {
            abort("runs a client as another user, which needs root (setpriv); running as " + me
                    + ". CI runs as root, where this test cannot skip");
        }
        if (!Files.isExecutable(Path.of(SETPRIV))) {
            fail(SETPRIV + " is missing (package util-linux): a security test must not skip on a root machine");
        }
        if (python() == null) {
            try {
                Process p = new ProcessBuilder("apt-get", "install", "-y", "-q", "python3-minimal").inheritIO().start();
                p.waitFor(10, TimeUnit.MINUTES);
            } catch (IOException | InterruptedException e) {
                fail("python3 is missing and cannot be installed with apt-get: " + e);
            }
            if (python() == null) {
                fail("python3 is missing and apt-get install python3-minimal did not provide it");
            }
        }
    }

    private static String python() {
        for (String p : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    /**
     * Runs the client as {@code nobody} with {@code args}; its script is written into {@code dir}, which
     * must be reachable by nobody (a fresh folder under /tmp is made world-searchable for it).
     */
    public static Run run(Path dir, String... args) throws IOException, InterruptedException {
        return finish(start(dir, args));
    }

    /** {@link #run} without waiting: for a client that waits for something the test does next. */
    public static Process start(Path dir, String... args) throws IOException {
        Path script = dir.resolve("other-user-client.py");
        if (Files.notExists(script)) {
            Files.writeString(script, CLIENT, StandardCharsets.UTF_8);
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> cmd = new ArrayList<>(List.of(SETPRIV, "--reuid=" + USER, "--regid=nogroup", "--clear-groups",
                python(), script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("HOME", "/");
        Process p = pb.start();
        Reaper.register(p.toHandle());
        return p;
    }

    /** Waits for a client from {@link #start} and returns what it printed. */
    public static Run finish(Process p) throws IOException, InterruptedException {
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the client as nobody finished");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** A fresh folder under /tmp that nobody may enter (0711) but not list or write, for the client's script. */
    public static Path scratch(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return dir;
    }
}
