package dev.cove.api.jobs;

public enum JobKind {
    INDEX, COPY, MOVE, RENAME, DELETE
}
