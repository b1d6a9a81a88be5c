package dev.cove.api.files;

import dev.cove.api.libraries.LibraryNames;
import dev.cove.rpc.Default;
import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.time.Instant;
import java.util.List;

/**
 * Searches a library's index. Every given criterion must hold.
 *
 * @param text       case-insensitive substring of the name
 * @param glob       case-insensitive glob on the whole name: {@code *}, {@code ?}, {@code [abc]}, {@code [a-z]}, {@code [!x]}
 * @param extensions extensions without the dot, any case
 * @param sort       NAME when absent
 * @param library    the library's name or id (the CLI and GraphQL default to the CLI's default library)
 * @param limit      page size; 0 means 100, at most 10000. People get {@link #DEFAULT_LIMIT} when they give none
 *                   (the CLI's {@code --limit}, GraphQL's {@code filesSearch(limit:)})
 * @param cursor     {@code nextCursor} of the previous page, with the same criteria
 */
@Method("query:files.search.v1")
public record SearchFiles(String library, @Nullable String text, @Nullable String glob,
                          @Nullable List<String> extensions, @Nullable List<FileKind> kinds,
                          @Nullable Long minSize, @Nullable Long maxSize, @Nullable Instant modifiedAfter,
                          @Nullable Instant modifiedBefore, @Nullable Long locationId, @Nullable SortField sort,
                          boolean descending, @Default("" + SearchFiles.DEFAULT_LIMIT) int limit,
                          @Nullable String cursor) implements Request<SearchResult> {
    public static final int MAX_LIMIT = 10_000;
    /** The page a person gets when asking for no size. */
    public static final int DEFAULT_LIMIT = 50;

    public SearchFiles {
        library = LibraryNames.ref(library);
        if (limit < 0 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + " (0 for the default 100), not " + limit);
        }
        if (minSize != null && maxSize != null && minSize > maxSize) {
            throw new IllegalArgumentException("minSize " + minSize + " is larger than maxSize " + maxSize);
        }
        if (minSize != null && minSize < 0 || maxSize != null && maxSize < 0) {
            throw new IllegalArgumentException("sizes cannot be negative");
        }
        if (modifiedAfter != null && modifiedBefore != null && modifiedAfter.isAfter(modifiedBefore)) {
            throw new IllegalArgumentException("modifiedAfter " + modifiedAfter + " is later than modifiedBefore " + modifiedBefore);
        }
    }

    /** A plain substring search: {@code new SearchFiles("Photos", "beach")}. */
    public SearchFiles(String library, String text) {
        this(library, text, null, null, null, null, null, null, null, null, null, false, 0, null);
    }
}
