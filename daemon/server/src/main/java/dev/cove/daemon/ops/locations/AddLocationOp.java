package dev.cove.daemon.ops.locations;

import dev.cove.api.locations.AddLocation;
import dev.cove.api.locations.LocationAdded;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("locations.add")
public final class AddLocationOp implements Handler<AddLocation, LocationAdded> {
    private final Libraries libraries;

    public AddLocationOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public LocationAdded handle(AddLocation input, CallContext context) throws Exception {
        Libraries.Added a = libraries.addLocation(input.library(), input.path());
        return new LocationAdded(a.location(), a.jobId());
    }
}
