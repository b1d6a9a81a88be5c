package dev.cove.daemon.ops.files;

import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.GetFileInfo;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.library.Library;
import dev.cove.daemon.library.Search;
import dev.cove.rpc.Query;
import dev.cove.rpc.RpcException;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Query("files.info")
public final class FileInfoOp implements Handler<GetFileInfo, FileEntry> {
    private final Libraries libraries;

    public FileInfoOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public FileEntry handle(GetFileInfo input, CallContext context) throws Exception {
        Library lib = libraries.resolve(input.library());
        String path = IndexPaths.inLocation(lib, input.path());
        FileEntry e = Search.info(lib, path);
        if (e == null) {
            throw RpcException.notFound(path + (Files.exists(FileNames.path(path), LinkOption.NOFOLLOW_LINKS)
                    ? " is not in the index yet; rescan its location" : " does not exist"));
        }
        return e;
    }
}
