package dev.cove.api.libraries;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Creates an empty library with its own database. Names are unique (ignoring case). */
@Method("action:libraries.create.input.v1")
public record CreateLibrary(String name) implements Request<LibraryInfo> {
    public CreateLibrary {
        name = LibraryNames.check(name);
    }
}
