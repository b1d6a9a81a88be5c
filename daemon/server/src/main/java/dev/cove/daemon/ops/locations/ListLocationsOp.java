package dev.cove.daemon.ops.locations;

import dev.cove.api.locations.ListLocations;
import dev.cove.api.locations.LocationList;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.library.Library;
import dev.cove.rpc.Query;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Query("locations.list")
public final class ListLocationsOp implements Handler<ListLocations, LocationList> {
    private final Libraries libraries;

    public ListLocationsOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public LocationList handle(ListLocations input, CallContext context) throws Exception {
        Library lib = libraries.resolve(input.library());
        return new LocationList(lib.id(), lib.locations());
    }
}
