package dev.cove.daemon.ops.libraries;

import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("libraries.create")
public final class CreateLibraryOp implements Handler<CreateLibrary, LibraryInfo> {
    private final Libraries libraries;

    public CreateLibraryOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public LibraryInfo handle(CreateLibrary input, CallContext context) throws Exception {
        return libraries.create(input.name());
    }
}
