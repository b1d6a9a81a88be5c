package dev.cove.api.sessions;

import java.util.List;

public record SessionList(List<SessionInfo> sessions) {
}
