package dev.cove.api.locations;

import dev.cove.api.jobs.JobInfo;
import dev.cove.api.libraries.LibraryNames;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Re-indexes a location incrementally (unchanged files are not hashed again); returns the job. */
@Method("action:locations.rescan.input.v1")
public record RescanLocation(String library, long locationId) implements Request<JobInfo> {
    public RescanLocation {
        library = LibraryNames.ref(library);
    }
}
