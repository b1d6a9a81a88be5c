package dev.cove.daemon.library;

import dev.cove.api.files.FileKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PureLogicTest {
    @Test
    void kindsByExtension() {
        assertEquals(FileKind.IMAGE, Kinds.of("Beach.JPG", false));
        assertEquals(FileKind.VIDEO, Kinds.of("clip.mkv", false));
        assertEquals(FileKind.AUDIO, Kinds.of("song.flac", false));
        assertEquals(FileKind.DOCUMENT, Kinds.of("report.pdf", false));
        assertEquals(FileKind.CODE, Kinds.of("Main.java", false));
        assertEquals(FileKind.ARCHIVE, Kinds.of("backup.tar.gz", false));
        assertEquals(FileKind.FOLDER, Kinds.of("photos.jpg", true));
        assertEquals(FileKind.OTHER, Kinds.of("Makefile", false));
        assertEquals(FileKind.OTHER, Kinds.of(".bashrc", false));
        assertEquals("", Kinds.extension(".bashrc"));
        assertEquals("", Kinds.extension("trailing."));
        assertEquals("gz", Kinds.extension("a.tar.GZ"));
    }

    @Test
    void globs() {
        assertTrue(Glob.matches("*.jpg", "Beach.JPG"));
        assertFalse(Glob.matches("*.jpg", "beach.jpg.bak"));
        assertTrue(Glob.matches("img_??.png", "IMG_01.png"));
        assertFalse(Glob.matches("img_??.png", "img_1.png"));
        assertTrue(Glob.matches("[abc]*", "banana"));
        assertFalse(Glob.matches("[!abc]*", "banana"));
        assertTrue(Glob.matches("[a-c]x", "bx"));
        assertTrue(Glob.matches("a+b(c).txt", "A+B(c).TXT"));
        assertTrue(Glob.matches("100%_done", "100%_done"));
        assertTrue(Glob.matches("\\*star", "*star"));
        assertFalse(Glob.matches("\\*star", "xstar"));
        assertTrue(Glob.matches("[unclosed", "[unclosed"));
        assertEquals("report", Glob.longestLiteral("*report*.pdf"));
        assertEquals("abcd", Glob.longestLiteral("ab?abcd[xyz]"));
        assertTrue(Glob.isLiteral("plain.txt"));
    }

    @Test
    void contentIdWholeAndSampled(@TempDir Path tmp) throws Exception {
        byte[] small = "hello".getBytes();
        Path a = Files.write(tmp.resolve("a"), small);
        assertEquals(ContentId.of(small), ContentId.of(a));
        Random r = new Random(1);
        byte[] big = new byte[3 << 20];
        r.nextBytes(big);
        Path b = Files.write(tmp.resolve("b"), big);
        assertEquals(ContentId.of(big), ContentId.of(b));
        big[big.length / 2] ^= 1; // inside the middle sample
        assertNotEquals(ContentId.of(big), ContentId.of(b));
        byte[] big2 = big.clone();
        big2[ContentId.SAMPLE + 10] ^= 1; // outside every sample: sampled ids do not see it (by design)
        assertEquals(ContentId.of(big), ContentId.of(big2));
        assertNotEquals(ContentId.of(new byte[10]), ContentId.of(new byte[11]));
    }

    @Test
    void indexTreeDeleteRangeCoversChildrenOnly() {
        // '0' is the character right after '/', so [p/, p0) holds exactly the paths below p
        assertEquals('/' + 1, '0');
        assertEquals("/a", Indexer.parentOf("/a/b"));
        assertEquals("/", Indexer.parentOf("/a"));
    }
}
