package dev.cove.daemon.ops.files;

import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileKind;
import dev.cove.api.files.FileList;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.ListFiles;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.library.Library;
import dev.cove.daemon.library.Search;
import dev.cove.rpc.Query;
import dev.cove.rpc.RpcException;

import java.nio.file.Files;
import java.nio.file.Path;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Query("files.list")
public final class ListFilesOp implements Handler<ListFiles, FileList> {
    private final Libraries libraries;

    public ListFilesOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public FileList handle(ListFiles input, CallContext context) throws Exception {
        Library lib = libraries.resolve(input.library());
        String path = IndexPaths.inLocation(lib, input.path());
        FileEntry e = Search.info(lib, path);
        if (e == null) {
            throw RpcException.notFound("folder " + path + " is not in the index of library \"" + lib.name() + "\""
                    + (Files.isDirectory(FileNames.path(path)) ? "; rescan its location" : "; it does not exist"));
        }
        if (e.kind() != FileKind.FOLDER) {
            throw RpcException.invalidInput(path + " is a file, not a folder; use files.info (cove info) for a file");
        }
        return new FileList(path, Search.children(lib, path));
    }
}
