package dev.cove.rpc.instance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every case of the shared table {@code testdata/path-rules.json} (read by the Python and Go suites too)
 * against the Java path rule: {@link InstancePaths#createDaemonDir()} on the case's data folder, which applies
 * {@link PathRule} to the data folder and {@code daemon/}. As root (CI), every case runs, with folders really owned
 * by {@code nobody} and root; as another user, only the cases whose owners are all that user.
 */
class PathRulesTableTest {
    private static final boolean ROOT = FileTrust.myUid() == 0;

    @TestFactory
    Stream<DynamicTest> everyCaseOfTheSharedTable() throws IOException {
        JsonNode table = new ObjectMapper().readTree(table().toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : table.path("cases")) {
            tests.add(DynamicTest.dynamicTest(c.path("name").asText(), () -> run(c)));
        }
        assertTrue(tests.size() >= 10, "the table has its cases: " + tests.size());
        return tests.stream();
    }

    private static Path table() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path t = p.resolve("testdata").resolve("path-rules.json");
            if (Files.isRegularFile(t)) {
                return t;
            }
        }
        throw new AssertionError("testdata/path-rules.json not found above " + Path.of("").toAbsolutePath());
    }

    private static void run(JsonNode c) throws Exception {
        boolean othersOwn = false;
        for (JsonNode step : c.path("setup")) {
            othersOwn |= !step.path("owner").asText("self").equals("self");
        }
        if (othersOwn && !ROOT) {
            org.junit.jupiter.api.Assumptions.abort("needs root to make folders owned by nobody or root");
        }
        Path base = Files.createTempDirectory("cove-path-rule");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            for (JsonNode step : c.path("setup")) {
                setup(base, step);
            }
            Path data = base.resolve(c.path("data").asText("data"));
            String expect = c.path("expect").asText();
            List<Integer> before = new ArrayList<>();
            for (JsonNode u : c.path("unchanged")) {
                before.add(mode(base.resolve(u.path("path").asText())));
            }
            try {
                new InstancePaths(data, "default").createDaemonDir();
                if (expect.equals("refused")) {
                    fail(c.path("name").asText() + ": expected a refusal, but the data folder was accepted");
                }
                for (Path p : List.of(data, data.resolve("daemon"))) {
                    assertFalse(Files.isSymbolicLink(p), p + " is not a link");
                    assertTrue(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), p + " is a real folder");
                    assertEquals(FileTrust.myUid(), FileTrust.ownerUid(p), p + " is ours");
                    assertEquals(0700, mode(p), p + " has mode 0700");
                }
            } catch (PathRule.UnsafeFolderException e) {
                if (!expect.equals("refused")) {
                    fail(c.path("name").asText() + ": expected " + expect + ", but refused: " + e.getMessage());
                }
                for (JsonNode m : c.path("mentions")) {
                    assertTrue(e.getMessage().contains(m.asText()), "the refusal mentions '" + m.asText() + "': "
                            + e.getMessage());
                }
            }
            int i = 0;
            for (JsonNode u : c.path("unchanged")) {
                Path p = base.resolve(u.path("path").asText());
                assertEquals(Integer.parseInt(u.path("mode").asText(), 8), mode(p), p + "'s mode is unchanged");
                assertEquals(before.get(i++), mode(p), p + "'s mode is unchanged");
            }
        } finally {
            try (Stream<Path> walk = Files.walk(base)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void setup(Path base, JsonNode step) throws IOException {
        UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
        if (step.has("symlink")) {
            String to = step.path("to").asText();
            Path target = to.startsWith("/") ? Path.of(to) : base.resolve(to);
            Files.createSymbolicLink(base.resolve(step.path("symlink").asText()), target);
            return;
        }
        Path p = base.resolve(step.has("mkdir") ? step.path("mkdir").asText() : step.path("file").asText());
        if (step.has("mkdir")) {
            Files.createDirectories(p);
        } else {
            Files.createFile(p);
        }
        String owner = step.path("owner").asText("self");
        if (!owner.equals("self")) {
            Files.setOwner(p, users.lookupPrincipalByName(owner));
        }
        // chmod after chown: chown clears the sticky and set-id bits
        Files.setAttribute(p, "unix:mode", Integer.parseInt(step.path("mode").asText(), 8));
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }
}
