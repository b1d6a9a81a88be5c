package dev.cove.api.locations;

import java.util.List;

public record LocationList(String libraryId, List<LocationInfo> locations) {
}
