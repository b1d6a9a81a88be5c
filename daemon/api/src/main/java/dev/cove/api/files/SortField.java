package dev.cove.api.files;

public enum SortField {
    NAME, PATH, SIZE, MODIFIED
}
