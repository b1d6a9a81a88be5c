package dev.cove.api.locations;

import dev.cove.api.libraries.LibraryNames;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Stops watching a location and drops its entries from the index. Files on disk are not touched. */
@Method("action:locations.remove.input.v1")
public record RemoveLocation(String library, long locationId) implements Request<LocationInfo> {
    public RemoveLocation {
        library = LibraryNames.ref(library);
    }
}
