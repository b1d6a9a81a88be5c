package dev.cove.daemon.ops.files;

import dev.cove.api.files.DuplicateList;
import dev.cove.api.files.FindDuplicates;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.library.Search;
import dev.cove.rpc.Query;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Query("files.duplicates")
public final class FindDuplicatesOp implements Handler<FindDuplicates, DuplicateList> {
    private final Libraries libraries;

    public FindDuplicatesOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public DuplicateList handle(FindDuplicates input, CallContext context) throws Exception {
        return Search.duplicates(libraries.resolve(input.library()), input);
    }
}
