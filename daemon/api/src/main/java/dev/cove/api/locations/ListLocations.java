package dev.cove.api.locations;

import dev.cove.api.libraries.LibraryNames;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

@Method("query:locations.list.v1")
public record ListLocations(String library) implements Request<LocationList> {
    public ListLocations {
        library = LibraryNames.ref(library);
    }
}
