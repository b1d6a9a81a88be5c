package dev.cove.tests.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.graphql.TokenFile;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.OtherUser;
import dev.cove.tests.support.TestPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another user of the machine ({@code nobody}, through {@link OtherUser}) against a real GraphQL server on the
 * loopback port: the issue's reproduction (creating a library through 127.0.0.1) and every way in (HTTP POST,
 * HTTP GET, WebSocket) are refused without the token and change nothing in the daemon; the token file stays
 * closed to them; with the owner's token the same calls work, so the refusals are the token's doing.
 */
class GraphqlOtherUserTest {
    @RegisterExtension
    static final GraphqlRig rig = new GraphqlRig("gql-other");

    private static Path scratch;

    @BeforeAll
    static void canActAsAnotherUser() throws IOException {
        OtherUser.require();
        scratch = OtherUser.scratch("cove-gql-other");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (scratch != null) {
            try (Stream<Path> walk = Files.walk(scratch)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String url() {
        return rig.endpoint().toString();
    }

    private static OtherUser.Run post(String body, String... headers) throws Exception {
        List<String> args = new ArrayList<>(List.of("http", "POST", url(), body, "Content-Type: application/json"));
        args.addAll(List.of(headers));
        return OtherUser.run(scratch, args.toArray(String[]::new));
    }

    private static int status(OtherUser.Run r) {
        return Integer.parseInt(r.lines().getFirst().strip());
    }

    private static List<String> libraryNames() {
        List<String> names = new ArrayList<>();
        rig.data("{ librariesList { libraries { name } } }").path("librariesList").path("libraries")
                .forEach(l -> names.add(l.path("name").asText()));
        return names;
    }

    private static final String PWN = "{\"query\":\"mutation { librariesCreate(name: \\\"pwned-by-nobody\\\") { id name } }\"}";

    @Test
    void theIssuesReproductionGets401AndCreatesNothing() throws Exception {
        List<String> before = libraryNames();
        String token = rig.token();
        List<String[]> refused = List.of(
                new String[0],                                                  // no token at all
                new String[]{"Authorization: Bearer wrong-token"},             // a wrong one
                new String[]{"Authorization: Bearer " + token.substring(0, token.length() / 2)}, // half of it
                new String[]{"Authorization: Bearer " + token.substring(0, token.length() - 1)}, // all but the last
                new String[]{"Authorization: Bearer " + token + "x"},          // the token and more
                new String[]{"Authorization: Bearer "},                        // an empty one
                new String[]{"Authorization: Basic " + token});                // the right secret, wrong scheme
        for (String[] headers : refused) {
            OtherUser.Run r = post(PWN, headers);
            assertEquals(401, status(r), "nobody with " + List.of(headers) + ": " + r);
            assertFalse(r.out().contains("\"data\""), "nothing ran: " + r);
        }
        assertEquals(before, libraryNames(), "no library was created by the refused requests");
        assertFalse(libraryNames().contains("pwned-by-nobody"));

        // the same call with the owner's token works (whoever holds it): the token is what was missing
        OtherUser.Run ok = post(PWN.replace("pwned-by-nobody", "made-with-the-token"), "Authorization: Bearer " + token);
        assertEquals(200, status(ok), ok.toString());
        assertTrue(ok.out().contains("\"name\":\"made-with-the-token\""), ok.toString());
        assertTrue(libraryNames().contains("made-with-the-token"));
    }

    @Test
    void httpGetIsRefusedWithoutTheToken() throws Exception {
        String get = url() + "?query=" + URLEncoder.encode("{ coreStatus { pid } librariesList { libraries { name } } }",
                StandardCharsets.UTF_8);
        OtherUser.Run none = OtherUser.run(scratch, "http", "GET", get, "");
        assertEquals(401, status(none), none.toString());
        assertFalse(none.out().contains("pid"), "nothing about the daemon leaks: " + none);
        OtherUser.Run prefix = OtherUser.run(scratch, "http", "GET", get, "",
                "Authorization: Bearer " + rig.token().substring(0, 8));
        assertEquals(401, status(prefix), prefix.toString());

        OtherUser.Run ok = OtherUser.run(scratch, "http", "GET", get, "", "Authorization: Bearer " + rig.token());
        assertEquals(200, status(ok), ok.toString());
        assertTrue(ok.out().contains("\"pid\":"), ok.toString());
    }

    private static int daemonSubscriptions() {
        return rig.data("{ coreStatus { subscriptions } }").path("coreStatus").path("subscriptions").asInt();
    }

    @Test
    void aWebSocketSubscriptionIsRefusedWithoutTheToken() throws Exception {
        String sub = "subscription { logMessage(target: \\\"" + TestPlugin.LOG_TARGET + "\\\", level: WARN) { message } }";
        String subscribe = "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"" + sub + "\"}}";
        int before = daemonSubscriptions();
        String ws = rig.ws().toString();

        OtherUser.Run noInit = OtherUser.run(scratch, "ws", ws, "--", subscribe);
        assertTrue(noInit.out().contains("CLOSE 4401"), "subscribe without connection_init: " + noInit);
        OtherUser.Run noToken = OtherUser.run(scratch, "ws", ws, "--", "{\"type\":\"connection_init\"}", subscribe);
        assertTrue(noToken.out().contains("CLOSE 4403"), "connection_init without the token: " + noToken);
        OtherUser.Run prefix = OtherUser.run(scratch, "ws", ws, "--", "{\"type\":\"connection_init\",\"payload\":"
                + "{\"authorization\":\"Bearer " + rig.token().substring(0, rig.token().length() - 1) + "\"}}", subscribe);
        assertTrue(prefix.out().contains("CLOSE 4403"), "connection_init with a prefix of the token: " + prefix);
        OtherUser.Run wrongHeader = OtherUser.run(scratch, "ws", ws, "Authorization: Bearer wrong", "--",
                "{\"type\":\"connection_init\"}", subscribe);
        assertTrue(wrongHeader.out().contains("HTTP 401"), "a wrong token on the upgrade: " + wrongHeader);
        for (OtherUser.Run r : List.of(noInit, noToken, prefix, wrongHeader)) {
            assertFalse(r.out().contains("connection_ack") || r.out().contains("\"next\""), r.toString());
        }
        assertEquals(before, daemonSubscriptions(), "no daemon subscription was opened for nobody");

        // with the token the very same subscription streams
        Process client = OtherUser.start(scratch, "ws", ws, "--", "{\"type\":\"connection_init\",\"payload\":"
                + "{\"authorization\":\"Bearer " + rig.token() + "\"}}", subscribe);
        Await.until(GraphqlRig.WAIT, () -> daemonSubscriptions() == before + 1 || !client.isAlive(),
                "the subscription with the token reaches the daemon");
        rig.data("mutation { testLog(tag: \"for-nobody\") { logger } }");
        OtherUser.Run ok = OtherUser.finish(client);
        assertTrue(ok.out().contains("connection_ack"), ok.toString());
        assertTrue(ok.out().contains("\"type\":\"next\"") && ok.out().contains("for-nobody"), ok.toString());
    }

    @Test
    void nobodyCannotReadTheTokenFile() throws Exception {
        Path file = TokenFile.of(rig.paths());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(rig.token(), Files.readString(file).strip(), "the owner reads it");
        // open every folder on the way for this test, so that only the token's own folder and file modes stand
        // between nobody and the token
        List<Path> opened = new ArrayList<>();
        List<Set<PosixFilePermission>> modes = new ArrayList<>();
        for (Path p = file.getParent().getParent(); p.startsWith(rig.dir()); p = p.getParent()) {
            opened.add(p);
            modes.add(Files.getPosixFilePermissions(p));
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Set<PosixFilePermission> folderMode = Files.getPosixFilePermissions(file.getParent());
        try {
            OtherUser.Run folder = OtherUser.run(scratch, "read", file.toString());
            assertNotEquals(0, folder.exit(), folder.toString());
            assertTrue(folder.out().contains("Permission denied") && !folder.out().contains(rig.token()),
                    "the 0700 folder keeps nobody out: " + folder);
            Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            OtherUser.Run direct = OtherUser.run(scratch, "read", file.toString());
            assertNotEquals(0, direct.exit(), direct.toString());
            assertTrue(direct.out().contains("Permission denied") && !direct.out().contains(rig.token()),
                    "and the 0600 file on its own too: " + direct);
        } finally {
            Files.setPosixFilePermissions(file.getParent(), folderMode);
            for (int i = 0; i < opened.size(); i++) {
                Files.setPosixFilePermissions(opened.get(i), modes.get(i));
            }
        }
    }
}
