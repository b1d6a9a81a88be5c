package dev.cove.api.libraries;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** One library, named by id or by name. */
@Method("query:libraries.get.v1")
public record GetLibrary(String library) implements Request<LibraryInfo> {
    public GetLibrary {
        library = LibraryNames.ref(library);
    }
}
