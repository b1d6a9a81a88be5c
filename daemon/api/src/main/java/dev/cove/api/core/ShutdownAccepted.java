package dev.cove.api.core;

public record ShutdownAccepted(String message, long pid) {
}
