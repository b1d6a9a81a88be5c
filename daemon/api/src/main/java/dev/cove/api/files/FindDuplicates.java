package dev.cove.api.files;

import dev.cove.api.libraries.LibraryNames;
import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

/** Groups of files with the same content id, largest waste first; limit 0 means 100 groups. */
@Method("query:files.duplicates.v1")
public record FindDuplicates(String library, @Nullable Long locationId, long minSize, int limit)
        implements Request<DuplicateList> {
    public FindDuplicates {
        library = LibraryNames.ref(library);
        if (limit < 0 || minSize < 0) {
            throw new IllegalArgumentException("limit and minSize cannot be negative");
        }
    }
}
