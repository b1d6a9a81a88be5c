package dev.cove.api.libraries;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Deletes a library and its index. The indexed files themselves are not touched. */
@Method("action:libraries.delete.input.v1")
public record DeleteLibrary(String library) implements Request<LibraryInfo> {
    public DeleteLibrary {
        library = LibraryNames.ref(library);
    }
}
