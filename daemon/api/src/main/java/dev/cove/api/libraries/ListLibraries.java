package dev.cove.api.libraries;

import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Every library of this instance, by name. */
@Method("query:libraries.list.v1")
public record ListLibraries() implements Request<LibraryList> {
}
