package dev.cove.api.files;

import java.util.List;

/** @param wastedBytes bytes that would be freed by keeping one file per group */
public record DuplicateList(List<DuplicateGroup> groups, long wastedBytes) {
    public record DuplicateGroup(String contentId, long size, List<String> paths) {
    }
}
