package dev.cove.daemon.library;

import dev.cove.api.files.FileNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The string form of file names (dev.cove.api.files.FileNames): lossless, and shown as a shell reads it back. */
class FileNamesTest {
    @TempDir
    Path tmp;

    @Test
    void everyByteStringHasItsOwnFormAndComesBack() {
        Random r = new Random(19);
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[r.nextInt(7)];
            r.nextBytes(b);
            if (i % 3 == 0 && b.length >= 3) { // often a sequence that is valid UTF-8 for U+EF80-U+EFFF itself
                b[0] = (byte) 0xEE;
                b[1] = (byte) (0xBE + r.nextInt(2));
            }
            String s = FileNames.decode(b);
            assertArrayEquals(b, FileNames.encode(s), () -> HexFormat.of().formatHex(b));
            String hex = HexFormat.of().formatHex(b);
            String before = seen.putIfAbsent(s, hex);
            assertTrue(before == null || before.equals(hex), "two byte strings share a form: " + before + ", " + hex);
        }
        assertEquals("été/😀.txt", FileNames.decode("été/😀.txt".getBytes(StandardCharsets.UTF_8)), "UTF-8 is its usual text");
        assertEquals("\uEFFF\uEFFE.txt", FileNames.decode(new byte[]{(byte) 0xFF, (byte) 0xFE, '.', 't', 'x', 't'}));
        assertNotEquals(FileNames.decode(new byte[]{(byte) 0xFF, (byte) 0xFE}), FileNames.decode(new byte[]{(byte) 0xFE, (byte) 0xFF}));
        assertEquals(3, FileNames.decode("\uEF80".getBytes(StandardCharsets.UTF_8)).length(), "U+EF80 itself goes byte by byte");
    }

    @Test
    void pathsReadFromAFolderKeepTheirBytes() throws Exception {
        sh("cd \"$1\" && printf a > \"$(printf '\\377\\376.txt')\" && printf b > \"$(printf '\\376\\377.txt')\" "
                + "&& mkdir \"$(printf 'dir\\375')\" && printf c > \"$(printf 'dir\\375/new\\nline')\"", tmp.toString());
        List<String> names;
        try (Stream<Path> s = Files.walk(tmp)) {
            names = s.map(FileNames::of).sorted().toList();
        }
        String t = tmp.toString();
        assertEquals(List.of(t, t + "/dir\uEFFD", t + "/dir\uEFFD/new\nline", t + "/\uEFFE\uEFFF.txt", t + "/\uEFFF\uEFFE.txt"),
                names);
        assertEquals("a", Files.readString(FileNames.path(t + "/\uEFFF\uEFFE.txt")));
        assertEquals("b", Files.readString(FileNames.path(t + "/\uEFFE\uEFFF.txt")));
        assertEquals("c", Files.readString(FileNames.resolve(FileNames.path(t + "/dir\uEFFD"), "new\nline")));
        assertEquals("dir\uEFFD", FileNames.name(FileNames.path(t + "/dir\uEFFD")), "a folder's name, without toUri's slash");
        assertEquals(t + "/dir\uEFFD", FileNames.of(FileNames.path(t + "/dir\uEFFD")));
    }

    @Test
    void shownAsLsQuotesItAndReadBackByAShellAsTheSameBytes() throws Exception {
        assertEquals("plain name (1).txt", FileNames.display("plain name (1).txt"), "nothing to escape: as it is");
        assertEquals("it's", FileNames.display("it's"));
        assertEquals("'new'$'\\n''line'", FileNames.display("new\nline"));
        assertEquals("$'\\377\\376''.txt'", FileNames.display("\uEFFF\uEFFE.txt"));
        assertEquals("'bell'$'\\a\\033''[0m'", FileNames.display("bell\u0007\u001b[0m"));
        assertEquals("'it'\\''s'$'\\t'", FileNames.display("it's\t"));
        assertEquals("'c1'$'\\302\\233'", FileNames.display("c1\u009b"), "C1 controls as their UTF-8 bytes");
        for (String s : List.of("new\nline", "\uEFFF\uEFFE.txt", "bell\u0007\u001b[0m", "it's\t", "a'b\r\n'c", "\u007f\uEF80x")) {
            String shown = FileNames.display(s);
            assertEquals(-1, shown.indexOf('\n'), "one line");
            byte[] back = sh("eval \"printf %s $1\"", shown);
            assertArrayEquals(FileNames.encode(s), back, () -> "bash reads " + shown + " back as other bytes");
        }
    }

    private static byte[] sh(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", "-c", script, "sh"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), script);
        return out;
    }
}
