package dev.cove.api.sessions;

/**
 * @param changed      false when the merge left the state as it was (nothing was written)
 * @param stateVersion counts the changes of the session's state so far
 */
public record StateUpdated(boolean changed, long stateVersion) {
}
