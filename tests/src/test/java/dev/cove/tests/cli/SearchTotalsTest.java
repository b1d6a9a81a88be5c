package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cove search} says how many entries match in all, not just the page's size: "50 of 876 matches", or a
 * marked lower bound ("10000+") past the count cap; in text and JSON
 * Totals are checked against the files on disk.
 */
class SearchTotalsTest {
    @TempDir
    Path tmp;

    Cli cli;
    Path files;

    @BeforeEach
    void setUp() throws IOException {
        cli = Cli.under(tmp);
        files = tmp.resolve("files");
        // 876 names with "copyright" (of them 219 .md), 300 without
        for (int i = 0; i < 876; i++) {
            Path dir = Files.createDirectories(files.resolve("d" + i % 7));
            Files.writeString(dir.resolve("COPYRIGHT-" + i + (i % 4 == 0 ? ".md" : ".txt")), "c");
        }
        for (int i = 0; i < 300; i++) {
            Files.writeString(files.resolve("d" + i % 7).resolve("readme-" + i + ".txt"), "r");
        }
    }

    @AfterEach
    void tearDown() {
        cli.killDaemons();
    }

    private long onDisk(String substring, String ext) throws IOException {
        try (Stream<Path> s = Files.walk(files)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString().toLowerCase())
                    .filter(n -> n.contains(substring) && (ext == null || n.endsWith("." + ext))).count();
        }
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    /** The summary line: the one with "match". */
    private static String summary(Result r) {
        return r.out().lines().filter(l -> l.contains(" match")).findFirst().orElseThrow(() -> new AssertionError(r));
    }

    @Test
    void theTotalIsShownBesideThePage() throws IOException {
        ok(cli.run("start"));
        ok(cli.run("library", "create", "Totals"));
        ok(cli.run("location", "add", "--wait", files.toString()));
        long all = onDisk("copyright", null);
        assertEquals(876, all);

        Result full = ok(cli.run("search", "copyright"));
        assertTrue(summary(full).startsWith("50 of " + all + " matches ("), full::toString);
        Result process = ok(cli.runProcess("search", "copyright"));
        assertEquals(summary(full).replaceAll("\\(.*", ""), summary(process).replaceAll("\\(.*", ""), "as a process too");

        // the next page still tells the whole count
        String cursor = full.out().lines().filter(l -> l.startsWith("More: add --cursor ")).findFirst().orElseThrow()
                .substring("More: add --cursor ".length());
        assertTrue(summary(ok(cli.run("search", "copyright", "--cursor", cursor))).startsWith("50 of " + all + " matches"));

        // other criteria are counted by SQLite, against the same truth
        long md = onDisk("copyright", "md");
        assertEquals(219, md);
        assertTrue(summary(ok(cli.run("search", "copyright", "--ext", "md", "-n", "10"))).startsWith("10 of " + md + " matches"));
        assertTrue(summary(ok(cli.run("search", "copyright", "--sort", "size", "-n", "5"))).startsWith("5 of " + all + " matches"));
        assertTrue(summary(ok(cli.run("search", "--glob", "*right-1?.txt"))).startsWith("8 matches"),
                "a single page is its own total");

        JsonNode json = Json.MAPPER.readTree(ok(cli.run("--json", "search", "copyright")).out());
        assertEquals(50, json.path("entries").size());
        assertEquals(all, json.path("total").asLong(), json::toString);
        assertTrue(json.path("totalExact").asBoolean(), json::toString);
    }

    @Test
    void pastTheCapTheTotalIsAMarkedLowerBound() throws IOException {
        Path many = Files.createDirectories(tmp.resolve("many"));
        for (int i = 0; i < 10_050; i++) {
            Files.writeString(many.resolve("note-" + i + ".txt"), "");
        }
        ok(cli.run("start"));
        ok(cli.run("library", "create", "Many"));
        ok(cli.run("location", "add", "--wait", many.toString()));

        Result text = ok(cli.run("search", "note"));
        assertTrue(summary(text).startsWith("50 of 10000+ matches ("), text::toString);
        assertTrue(summary(ok(cli.run("search", "note", "--ext", "txt"))).startsWith("50 of 10000+ matches ("));
        JsonNode json = Json.MAPPER.readTree(ok(cli.run("--json", "search", "note")).out());
        assertEquals(10_000, json.path("total").asLong(), json::toString);
        assertFalse(json.path("totalExact").asBoolean(), json::toString);
    }
}
