package dev.cove.api.files;

import dev.cove.api.libraries.LibraryNames;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** The index entry of one file or folder (absolute path). */
@Method("query:files.info.v1")
public record GetFileInfo(String library, String path) implements Request<FileEntry> {
    public GetFileInfo {
        library = LibraryNames.ref(library);
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("name the file (an absolute path inside a location)");
        }
    }
}
