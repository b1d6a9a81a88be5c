package dev.cove.cli.commands.files;

import dev.cove.api.files.FileKind;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;
import dev.cove.api.files.SortField;
import dev.cove.cli.Args;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.LibraryOption;
import dev.cove.cli.Views;
import dev.cove.cli.commands.location.LocationCommand;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "search", aliases = "find", description = {
        "Search the library's index by name (a case-insensitive substring) and any of the filters below.",
        "Sizes: 512, 10k, 10M, 1.5G (binary units). Times: 2026-01-01, 2026-01-01T09:30, or back from now: 30m, 12h, 7d, 2w.",
        "Example: cove search beach --kind image --min-size 1M --since 30d --sort size --desc"})
public final class SearchCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Mixin
    LibraryOption library;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "Part of the name, any case (omit to match every name).")
    String text;

    @Option(names = {"-g", "--glob"}, paramLabel = "GLOB", description = "Glob on the whole name, any case: *.jpg, IMG_00??.*, [a-c]*.")
    String glob;

    @Option(names = {"-e", "--ext"}, paramLabel = "EXT", description = "Extension without the dot (repeatable): --ext jpg --ext png.")
    List<String> extensions;

    @Option(names = {"-k", "--kind"}, paramLabel = "KIND", description = "Kind (repeatable): ${COMPLETION-CANDIDATES}.")
    List<FileKind> kinds;

    @Option(names = "--min-size", paramLabel = "SIZE", converter = Args.SizeConverter.class, description = "At least this size.")
    Long minSize;

    @Option(names = "--max-size", paramLabel = "SIZE", converter = Args.SizeConverter.class, description = "At most this size.")
    Long maxSize;

    @Option(names = "--since", paramLabel = "DATE|DURATION", converter = Args.TimeConverter.class,
            description = "Modified at or after this time: 2026-01-01 or 7d.")
    Instant since;

    @Option(names = "--before", paramLabel = "DATE|DURATION", converter = Args.TimeConverter.class,
            description = "Modified before this time.")
    Instant before;

    @Option(names = "--location", paramLabel = "ID|PATH", description = "Only inside this location.")
    String location;

    @Option(names = {"-s", "--sort"}, paramLabel = "FIELD", description = "Order: name (default), size, modified or path.")
    SortField sort;

    @Option(names = {"-r", "--desc"}, description = "Largest, newest or last first.")
    boolean descending;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "" + SearchFiles.DEFAULT_LIMIT, description = "Rows per page, 1 to 10000 (default: ${DEFAULT-VALUE}); 0: every match, as --all.")
    int limit;

    @Option(names = {"-a", "--all"}, description = "Every match, like locate: one path per line (with --json one object whose "
            + "entries array holds them all), fetched and printed page after page.")
    boolean all;

    @Option(names = {"-0", "--print0"}, description = "Print each match's path followed by a NUL byte, its bytes as they are "
            + "(for xargs -0), as locate -0 does: every match, or the first N with --limit N.")
    boolean print0;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "The next page: the cursor printed under the previous one (same filters).")
    String cursor;

    @Override
    public Integer call() {
        if (limit < 0 || limit > SearchFiles.MAX_LIMIT) {
            throw new ParameterException(spec.commandLine(), "--limit must be between 1 and " + SearchFiles.MAX_LIMIT + ", or 0 for every match");
        }
        if (limit == 0 || (print0 && !spec.commandLine().getParseResult().hasMatchedOption("--limit"))) {
            all = true;
        }
        if (print0 && cove.json()) {
            throw new ParameterException(spec.commandLine(), "--print0 and --json do not go together (JSON carries the exact paths too)");
        }
        if (minSize != null && maxSize != null && minSize > maxSize) {
            throw new ParameterException(spec.commandLine(), "--min-size is larger than --max-size");
        }
        String lib = library.resolve(cove);
        SearchResult r;
        try (CoreClient client = cove.client()) {
            Long locationId = location == null ? null : LocationCommand.resolve(cove, client, lib, location).id();
            if (all) {
                return SearchAll.print(cove, client, page -> new SearchFiles(lib, text == null || text.isEmpty() ? null : text, glob,
                        extensions == null ? null : extensions.stream().map(e -> e.startsWith(".") ? e.substring(1) : e).toList(),
                        kinds, minSize, maxSize, since, before, locationId, sort, descending, SearchFiles.MAX_LIMIT, page), cursor, print0);
            }
            r = client.call(new SearchFiles(lib, text == null || text.isEmpty() ? null : text, glob,
                    extensions == null ? null : extensions.stream().map(e -> e.startsWith(".") ? e.substring(1) : e).toList(),
                    kinds, minSize, maxSize, since, before, locationId, sort, descending, limit, cursor));
        }
        if (cove.json()) {
            cove.printJson(r);
            return ExitCodes.OK;
        }
        if (print0) {
            FileTable.print0(cove.rawOut(), r.entries());
            if (r.nextCursor() != null) {
                cove.err().println("More: add --cursor " + r.nextCursor());
            }
            return ExitCodes.OK;
        }
        Views.search(cove.out(), r, cursor);
        return ExitCodes.OK;
    }
}
