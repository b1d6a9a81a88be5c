package dev.cove.tests.cli;

import dev.cove.api.Plural;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Counts of one read "1 file", not "1 files" (issue 19): the helper, and the messages that use it. */
class PluralMessagesTest {
    @TempDir
    Path tmp;

    Cli cli;

    @BeforeEach
    void setUp() {
        cli = Cli.under(tmp);
    }

    @AfterEach
    void tearDown() {
        cli.killDaemons();
    }

    @Test
    void theHelperAgreesWithItsCount() {
        assertEquals("0 files", Plural.of(0, "file"));
        assertEquals("1 file", Plural.of(1, "file"));
        assertEquals("2 files", Plural.of(2, "file"));
        assertEquals("1 entry", Plural.of(1, "entry", "entries"));
        assertEquals("3 entries", Plural.of(3, "entry", "entries"));
    }

    @Test
    void oneOfAThingIsSingularInTheMessages() throws Exception {
        Path files = Files.createDirectories(tmp.resolve("files"));
        Files.writeString(files.resolve("a.txt"), "same bytes in both\n");
        Files.writeString(files.resolve("b.txt"), "same bytes in both\n");
        assertOk(cli.run("start"));
        assertOk(cli.run("library", "create", "Docs"));
        assertOk(cli.run("location", "add", files.toString(), "--wait"));

        Path out = Files.createDirectories(tmp.resolve("out"));
        Result cp = assertOk(cli.run("cp", files.resolve("a.txt").toString(), out.toString()));
        assertTrue(cp.out().contains("copied 1 file (19 bytes)"), cp::toString);

        Result dupes = assertOk(cli.run("duplicates"));
        assertTrue(dupes.out().contains("1 group;"), dupes::toString);
        assertFalse(dupes.out().contains("1 groups"), dupes::toString);
    }

    private static Result assertOk(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }
}
