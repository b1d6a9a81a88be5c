package dev.cove.api.libraries;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Gives a library (by id or name) a new name; its id stays. */
@Method("action:libraries.rename.input.v1")
public record RenameLibrary(String library, String name) implements Request<LibraryInfo> {
    public RenameLibrary {
        library = LibraryNames.ref(library);
        name = LibraryNames.check(name);
    }
}
