package dev.cove.api.files;

import dev.cove.api.libraries.LibraryNames;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** The indexed entries directly inside a folder (absolute path) of one of the library's locations. */
@Method("query:files.list.v1")
public record ListFiles(String library, String path) implements Request<FileList> {
    public ListFiles {
        library = LibraryNames.ref(library);
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("name the folder to list (an absolute path inside a location)");
        }
    }
}
