package dev.cove.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cove.rpc.codec.Json;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cove search --all} and {@code --limit 0} print every match of a query matching more than one page
 * of the daemon's largest size (10,000), exactly the set a brute-force filter of the disk finds.
 */
class SearchAllTest {
    @TempDir
    static Path tmp;
    static Cli cli;
    static Path tree;
    static Set<String> expected;

    @BeforeAll
    static void setUp() throws IOException {
        tree = tmp.resolve("tree");
        for (int i = 0; i < 16_000; i++) {
            Path dir = Files.createDirectories(tree.resolve("dir-" + i % 40));
            // three in four contain "Match", in different places and cases; the rest do not
            String name = switch (i % 4) {
                case 0 -> "Match-" + i + ".txt";
                case 1 -> "a-match_" + i;
                case 2 -> i + "-MATCH.jpg";
                default -> "other-" + i + ".txt";
            };
            Files.createFile(dir.resolve(name));
        }
        try (Stream<Path> w = Files.walk(tree)) {
            expected = new HashSet<>(w.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).contains("match"))
                    .map(Path::toString).toList());
        }
        assertTrue(expected.size() > 10_000, "the query must match more than one page: " + expected.size());
        cli = Cli.under(tmp);
        ok(cli.run("start"));
        ok(cli.run("library", "create", "All"));
        ok(cli.run("location", "add", tree.toString(), "--wait"));
    }

    @AfterAll
    static void tearDown() {
        if (cli != null) {
            cli.killDaemons();
        }
    }

    static Result ok(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    @Test
    void allPrintsEveryMatchOnePathPerLine() {
        Result r = ok(cli.run("search", "match", "--all"));
        List<String> lines = r.out().lines().toList();
        assertEquals(expected.size(), lines.size(), "one line per match, nothing else");
        assertEquals(expected, new HashSet<>(lines));
        List<String> names = new ArrayList<>(lines.stream().map(l -> Path.of(l).getFileName().toString()
                .toLowerCase(Locale.ROOT)).toList());
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names, "in name order across the page boundaries");
    }

    @Test
    void limitZeroWithJsonIsOneObjectHoldingEveryMatch() throws Exception {
        Result r = ok(cli.run("--json", "search", "MATCH", "--limit", "0"));
        JsonNode root = Json.MAPPER.readTree(r.out());
        JsonNode entries = root.path("entries");
        assertEquals(expected.size(), entries.size(), "entries holds every match");
        assertEquals(expected.size(), root.path("count").asLong());
        Set<String> paths = new HashSet<>();
        entries.forEach(e -> paths.add(e.path("path").asText()));
        assertEquals(expected, paths);
    }

    @Test
    void allInAnotherOrderPagesThroughSqlite() {
        // sorted by size the name table does not apply: the daemon pages with SQLite's keyset cursor
        Result r = ok(cli.run("search", "match", "--all", "--sort", "size", "--desc"));
        List<String> lines = r.out().lines().toList();
        assertEquals(expected.size(), lines.size());
        assertEquals(expected, new HashSet<>(lines));
    }
}
