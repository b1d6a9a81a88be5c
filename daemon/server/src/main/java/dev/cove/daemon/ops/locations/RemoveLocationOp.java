package dev.cove.daemon.ops.locations;

import dev.cove.api.locations.LocationInfo;
import dev.cove.api.locations.RemoveLocation;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("locations.remove")
public final class RemoveLocationOp implements Handler<RemoveLocation, LocationInfo> {
    private final Libraries libraries;

    public RemoveLocationOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public LocationInfo handle(RemoveLocation input, CallContext context) throws Exception {
        return libraries.removeLocation(input.library(), input.locationId());
    }
}
