package dev.cove.api.libraries;

import java.util.List;

public record LibraryList(List<LibraryInfo> libraries) {
}
