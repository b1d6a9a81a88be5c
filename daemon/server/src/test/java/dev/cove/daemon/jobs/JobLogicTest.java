package dev.cove.daemon.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobLogicTest {
    @Test
    void keepBothNames(@TempDir Path tmp) throws Exception {
        assertEquals("report (2).pdf", ConflictNames.alternative("report.pdf", 2));
        assertEquals("Makefile (3)", ConflictNames.alternative("Makefile", 3));
        assertEquals(".bashrc (2)", ConflictNames.alternative(".bashrc", 2));
        assertEquals("a.tar (2).gz", ConflictNames.alternative("a.tar.gz", 2));
        Path t = tmp.resolve("x.txt");
        assertEquals(t, ConflictNames.free(t));
        Files.writeString(t, "1");
        Files.writeString(tmp.resolve("x (2).txt"), "2");
        assertEquals(tmp.resolve("x (3).txt"), ConflictNames.free(t));
        Path part = ConflictNames.temporary(t, 42);
        assertEquals(".x.txt.cove-42.part", part.getFileName().toString());
        assertEquals(tmp, part.getParent());
    }

    @Test
    void trashInfoFollowsTheSpec() {
        String info = Trash.info(Path.of("/home/me/My File%.txt"), LocalDateTime.of(2024, 5, 6, 7, 8, 9, 123));
        assertEquals("[Trash Info]\nPath=/home/me/My%20File%25.txt\nDeletionDate=2024-05-06T07:08:09\n", info);
    }

    @Test
    void trashDirFromXdg() {
        assertEquals(Path.of("/x/data/Trash"), Trash.home(Map.of("XDG_DATA_HOME", "/x/data")).dir());
        assertTrue(Trash.home(Map.of()).dir().endsWith(Path.of(".local/share/Trash")));
    }
}
