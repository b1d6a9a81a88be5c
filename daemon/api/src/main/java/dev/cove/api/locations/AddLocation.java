package dev.cove.api.locations;

import dev.cove.api.libraries.LibraryNames;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Adds a folder (absolute path) to a library and starts indexing it; the answer names the indexing job. */
@Method("action:locations.add.input.v1")
public record AddLocation(String library, String path) implements Request<LocationAdded> {
    public AddLocation {
        library = LibraryNames.ref(library);
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("name the folder to add, e.g. /home/me/Pictures");
        }
    }
}
