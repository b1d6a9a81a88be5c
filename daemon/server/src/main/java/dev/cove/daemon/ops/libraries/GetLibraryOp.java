package dev.cove.daemon.ops.libraries;

import dev.cove.api.libraries.GetLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Query;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Query("libraries.get")
public final class GetLibraryOp implements Handler<GetLibrary, LibraryInfo> {
    private final Libraries libraries;

    public GetLibraryOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public LibraryInfo handle(GetLibrary input, CallContext context) throws Exception {
        return libraries.resolve(input.library()).info();
    }
}
