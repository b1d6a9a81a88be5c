package dev.cove.daemon.ops.libraries;

import dev.cove.api.libraries.DeleteLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("libraries.delete")
public final class DeleteLibraryOp implements Handler<DeleteLibrary, LibraryInfo> {
    private final Libraries libraries;

    public DeleteLibraryOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public LibraryInfo handle(DeleteLibrary input, CallContext context) throws Exception {
        return libraries.delete(input.library());
    }
}
