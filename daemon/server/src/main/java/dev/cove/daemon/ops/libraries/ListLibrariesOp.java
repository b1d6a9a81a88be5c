package dev.cove.daemon.ops.libraries;

import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.libraries.LibraryList;
import dev.cove.api.libraries.ListLibraries;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.library.Library;
import dev.cove.rpc.Query;

import java.util.ArrayList;
import java.util.List;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Query("libraries.list")
public final class ListLibrariesOp implements Handler<ListLibraries, LibraryList> {
    private final Libraries libraries;

    public ListLibrariesOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public LibraryList handle(ListLibraries input, CallContext context) throws Exception {
        List<LibraryInfo> out = new ArrayList<>();
        for (Library l : libraries.all()) {
            out.add(l.info());
        }
        return new LibraryList(out);
    }
}
