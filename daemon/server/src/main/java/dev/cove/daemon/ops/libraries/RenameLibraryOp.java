package dev.cove.daemon.ops.libraries;

import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.libraries.RenameLibrary;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("libraries.rename")
public final class RenameLibraryOp implements Handler<RenameLibrary, LibraryInfo> {
    private final Libraries libraries;

    public RenameLibraryOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public LibraryInfo handle(RenameLibrary input, CallContext context) throws Exception {
        return libraries.rename(input.library(), input.name());
    }
}
