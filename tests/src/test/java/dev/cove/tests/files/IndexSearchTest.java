package dev.cove.tests.files;

import dev.cove.api.files.DuplicateList;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileKind;
import dev.cove.api.files.FileList;
import dev.cove.api.files.FindDuplicates;
import dev.cove.api.files.GetFileInfo;
import dev.cove.api.files.ListFiles;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;
import dev.cove.api.files.SortField;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.jobs.JobState;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.GetLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.locations.LocationAdded;
import dev.cove.api.locations.RescanLocation;
import dev.cove.daemon.library.Glob;
import dev.cove.daemon.library.Kinds;
import dev.cove.rpc.client.CoreClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index against the disk it describes, and search against a brute-force filter of the same entries. */
class IndexSearchTest {
    static final int FILES = 3000;
    @TempDir
    static Path tmp;
    static FilesDaemon daemon;
    static CoreClient client;
    static Path tree;
    static String lib;
    static List<Trees.Disk> disk;
    static JobInfo firstScan;

    @BeforeAll
    static void setUp() throws Exception {
        tree = tmp.resolve("tree");
        Trees.generate(tree, FILES, 42);
        Files.createSymbolicLink(tree.resolve("loop"), tree); // a link loop the walk must not follow
        daemon = FilesDaemon.start(tmp.resolve("data"));
        client = daemon.client();
        lib = client.call(new CreateLibrary("Search test")).id();
        long t0 = System.nanoTime();
        LocationAdded added = client.call(new AddLocation(lib, tree.toString()));
        firstScan = FilesDaemon.awaitJob(client, added.jobId(), Duration.ofSeconds(120));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(JobState.COMPLETED, firstScan.state(), () -> firstScan + daemon.output());
        disk = Trees.walk(tree);
        System.out.printf("indexed %d entries in %d ms (%.0f entries/s): %s%n", disk.size(), ms,
                disk.size() * 1000.0 / Math.max(1, ms), firstScan.result());
    }

    @AfterAll
    static void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
    }

    static List<FileEntry> all(SearchFiles q) {
        List<FileEntry> out = new ArrayList<>();
        String cursor = null;
        do {
            SearchResult r = client.call(new SearchFiles(q.library(), q.text(), q.glob(), q.extensions(), q.kinds(),
                    q.minSize(), q.maxSize(), q.modifiedAfter(), q.modifiedBefore(), q.locationId(), q.sort(),
                    q.descending(), q.limit(), cursor));
            out.addAll(r.entries());
            cursor = r.nextCursor();
        } while (cursor != null);
        return out;
    }

    static SearchFiles query(String text, String glob, List<String> exts, List<FileKind> kinds, Long min, Long max,
                             Instant after, Instant before, SortField sort, boolean desc, int limit) {
        return new SearchFiles(lib, text, glob, exts, kinds, min, max, after, before, null, sort, desc, limit, null);
    }

    @Test
    void indexMatchesFilesWalkExactly() {
        List<FileEntry> indexed = all(query(null, null, null, null, null, null, null, null, SortField.PATH, false, 5000));
        Map<String, FileEntry> byPath = new HashMap<>();
        for (FileEntry e : indexed) {
            assertNull(byPath.put(e.path(), e), "path indexed twice: " + e.path());
        }
        assertEquals(disk.size(), indexed.size(), "entries in the index vs Files.walk");
        for (Trees.Disk d : disk) {
            FileEntry e = byPath.get(d.path());
            assertNotNull(e, "not indexed: " + d.path());
            assertEquals(d.name(), e.name(), d.path());
            assertEquals(d.folder(), e.kind() == FileKind.FOLDER, d.path());
            assertEquals(d.size(), e.size(), d.path());
            assertEquals(d.modifiedMillis(), e.modified().toEpochMilli(), d.path());
            assertEquals(Kinds.of(d.name(), d.folder()), e.kind(), d.path());
            assertTrue(e.inode() > 0, d.path());
            if (!d.folder() && Files.isRegularFile(Path.of(d.path()))) {
                assertNotNull(e.contentId(), "content id of " + d.path());
            }
        }
        LibraryInfo info = client.call(new GetLibrary("search TEST")); // by name, ignoring case
        assertEquals(disk.size(), info.entries());
        assertEquals(1, info.locations());
    }

    @Test
    void randomSearchesMatchBruteForce() {
        Random r = new Random(7);
        List<Trees.Disk> files = disk;
        long minTime = files.stream().mapToLong(Trees.Disk::modifiedMillis).min().orElseThrow();
        long maxTime = files.stream().mapToLong(Trees.Disk::modifiedMillis).max().orElseThrow();
        for (int i = 0; i < 300; i++) {
            String text = null;
            String glob = null;
            List<String> exts = null;
            List<FileKind> kinds = null;
            Long min = null;
            Long max = null;
            Instant after = null;
            Instant before = null;
            String name = files.get(r.nextInt(files.size())).name();
            switch (r.nextInt(4)) {
                case 0 -> {
                    int a = r.nextInt(name.length());
                    int b = Math.min(name.length(), a + 1 + r.nextInt(5));
                    text = r.nextBoolean() ? name.substring(a, b).toUpperCase(Locale.ROOT) : name.substring(a, b);
                }
                case 1 -> {
                    String w = Trees.WORDS[r.nextInt(Trees.WORDS.length)];
                    String[] forms = {"*" + w + "*", w + "*", "*." + Trees.EXTS[r.nextInt(Trees.EXTS.length)], "*-1??.*",
                            "[a-m]*", "[!abc]*_?*", "*" + w.toUpperCase(Locale.ROOT).substring(0, 1) + "*"};
                    glob = forms[r.nextInt(forms.length)];
                }
                case 2 -> {
                    String w = Trees.WORDS[r.nextInt(Trees.WORDS.length)];
                    text = w.substring(0, Math.min(w.length(), 1 + r.nextInt(2)));
                }
                default -> { }
            }
            if (r.nextInt(3) == 0) {
                exts = List.of(Trees.EXTS[r.nextInt(Trees.EXTS.length)].replaceAll(".*\\.", ""),
                        "." + Trees.EXTS[r.nextInt(Trees.EXTS.length)].replaceAll(".*\\.", "").toUpperCase(Locale.ROOT));
            }
            if (r.nextInt(3) == 0) {
                kinds = List.of(FileKind.values()[r.nextInt(FileKind.values().length)],
                        FileKind.values()[r.nextInt(FileKind.values().length)]);
            }
            if (r.nextInt(3) == 0) {
                min = (long) r.nextInt(3000);
            }
            if (r.nextInt(3) == 0) {
                max = (min == null ? 0 : min) + r.nextInt(100_000);
            }
            if (r.nextInt(3) == 0) {
                after = Instant.ofEpochMilli(minTime + (long) (r.nextDouble() * (maxTime - minTime)));
            }
            if (r.nextInt(4) == 0) {
                before = Instant.ofEpochMilli((after == null ? minTime : after.toEpochMilli())
                        + (long) (r.nextDouble() * (maxTime - minTime)));
            }
            SortField sort = SortField.values()[r.nextInt(SortField.values().length)];
            boolean desc = r.nextBoolean();
            int limit = r.nextInt(4) == 0 ? 1 + r.nextInt(50) : 0;
            SearchFiles q = query(text, glob, exts, kinds, min, max, after, before, sort, desc, limit);

            Predicate<Trees.Disk> p = bruteForce(q);
            Set<String> expected = files.stream().filter(p).map(Trees.Disk::path).collect(Collectors.toCollection(TreeSet::new));
            List<FileEntry> got = limit == 0 ? firstPageOrAll(q) : all(q);
            Set<String> gotPaths = got.stream().map(FileEntry::path).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(got.size(), gotPaths.size(), "duplicates across pages for " + q);
            assertEquals(expected, gotPaths, "case " + i + ": " + q);
            Comparator<FileEntry> order = switch (sort) {
                case NAME -> Comparator.comparing(e -> e.name().toLowerCase(Locale.ROOT));
                case PATH -> Comparator.comparing(FileEntry::path);
                case SIZE -> Comparator.comparingLong(FileEntry::size);
                case MODIFIED -> Comparator.comparing(FileEntry::modified);
            };
            if (desc) {
                order = order.reversed();
            }
            for (int k = 1; k < got.size(); k++) {
                assertTrue(order.compare(got.get(k - 1), got.get(k)) <= 0, "order broken at " + k + " for " + q);
            }
        }
    }

    /**
     * Plain name searches (substring only, sorted by name) walk the in-memory name table (ascending) or SQLite's
     * name order narrowed by the table's ids (descending): both routes, paged with small and large pages, give
     * what brute force does.
     */
    @Test
    void plainNameSearchesPageLikeBruteForce() {
        List<String> texts = new ArrayList<>();
        for (String w : Trees.WORDS) {
            String l = w.toLowerCase(Locale.ROOT);
            if (l.length() >= 3) {
                texts.add(l.substring(0, 3));
                texts.add(l.substring(l.length() - 3));
            }
        }
        texts.addAll(List.of("-10", "jpg", "_9", "zzz", ".tar.gz"));
        for (String text : texts) {
            for (int limit : new int[]{25, 100}) {
                for (boolean desc : new boolean[]{false, true}) {
                    SearchFiles q = query(text, null, null, null, null, null, null, null, SortField.NAME, desc, limit);
                    List<String> expected = disk.stream().filter(bruteForce(q))
                            .sorted(Comparator.comparing((Trees.Disk d) -> d.name().toLowerCase(Locale.ROOT)))
                            .map(Trees.Disk::name).map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toList());
                    if (desc) {
                        java.util.Collections.reverse(expected);
                    }
                    List<String> got = all(q).stream().map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
                    assertEquals(expected, got, "\"" + text + "\" limit " + limit + (desc ? " descending" : ""));
                }
            }
        }
    }

    private static List<FileEntry> firstPageOrAll(SearchFiles q) {
        SearchFiles big = new SearchFiles(q.library(), q.text(), q.glob(), q.extensions(), q.kinds(), q.minSize(),
                q.maxSize(), q.modifiedAfter(), q.modifiedBefore(), q.locationId(), q.sort(), q.descending(), 10_000, null);
        SearchResult r = client.call(big);
        assertNull(r.nextCursor());
        return r.entries();
    }

    static Predicate<Trees.Disk> bruteForce(SearchFiles q) {
        return d -> {
            String lname = d.name().toLowerCase(Locale.ROOT);
            if (q.text() != null && !lname.contains(q.text().toLowerCase(Locale.ROOT))) {
                return false;
            }
            if (q.glob() != null && !Glob.matches(q.glob(), d.name())) {
                return false;
            }
            String ext = d.folder() ? "" : Kinds.extension(d.name());
            if (q.extensions() != null && q.extensions().stream()
                    .map(x -> x.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "")).noneMatch(ext::equals)) {
                return false;
            }
            if (q.kinds() != null && !q.kinds().contains(Kinds.of(d.name(), d.folder()))) {
                return false;
            }
            if (q.minSize() != null && d.size() < q.minSize() || q.maxSize() != null && d.size() > q.maxSize()) {
                return false;
            }
            if (q.modifiedAfter() != null && d.modifiedMillis() < q.modifiedAfter().toEpochMilli()) {
                return false;
            }
            return q.modifiedBefore() == null || d.modifiedMillis() < q.modifiedBefore().toEpochMilli();
        };
    }

    @Test
    void incrementalRescanHashesNothingUnchanged() {
        JobInfo job = client.call(new RescanLocation(lib, 1));
        assertEquals(JobKind.INDEX, job.kind());
        JobInfo done = FilesDaemon.awaitJob(client, job.id(), Duration.ofSeconds(60));
        assertEquals(JobState.COMPLETED, done.state());
        assertTrue(done.result().contains("(0 hashed, 0 removed"), done.result());
        assertTrue(firstScan.result().contains("indexed " + disk.size() + " entries"), firstScan.result());
    }

    @Test
    void duplicatesGroupIdenticalContent() {
        DuplicateList d = client.call(new FindDuplicates(lib, null, 0, 0));
        Set<String> dupes = new HashSet<>();
        for (Trees.Disk x : disk) {
            if (!x.folder() && x.size() == "duplicate content".length()) {
                dupes.add(x.path());
            }
        }
        assertTrue(dupes.size() > 2);
        DuplicateList.DuplicateGroup g = d.groups().stream().filter(x -> x.paths().containsAll(dupes)).findFirst()
                .orElseThrow(() -> new AssertionError("no group holds the duplicates: " + d));
        assertEquals(dupes.size(), g.paths().size());
        assertTrue(d.wastedBytes() >= (dupes.size() - 1L) * g.size());
    }

    @Test
    void listAndInfo() {
        FileList l = client.call(new ListFiles(lib, tree.toString()));
        try (var s = Files.list(tree)) {
            assertEquals(s.count(), l.entries().size());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        FileEntry loop = client.call(new GetFileInfo(lib, tree.resolve("loop").toString()));
        assertEquals(FileKind.OTHER, loop.kind()); // the link itself, not followed
        FileEntry root = client.call(new GetFileInfo(lib, tree + "/"));
        assertEquals(FileKind.FOLDER, root.kind());
    }
}
