package dev.cove.daemon.ops.locations;

import dev.cove.api.jobs.JobInfo;
import dev.cove.api.locations.RescanLocation;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

@Action("locations.rescan")
public final class RescanLocationOp implements Handler<RescanLocation, JobInfo> {
    private final Libraries libraries;

    public RescanLocationOp(Libraries libraries) {
        this.libraries = libraries;
    }
    @Override
    public JobInfo handle(RescanLocation input, CallContext context) throws Exception {
        return libraries.rescan(input.library(), input.locationId());
    }
}
