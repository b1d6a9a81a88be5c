package dev.cove.daemon.ops.files;

import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.library.Search;
import dev.cove.rpc.Query;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Query("files.search")
public final class SearchFilesOp implements Handler<SearchFiles, SearchResult> {
    private final Libraries libraries;

    public SearchFilesOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public SearchResult handle(SearchFiles input, CallContext context) throws Exception {
        return Search.run(libraries.resolve(input.library()), input);
    }
}
