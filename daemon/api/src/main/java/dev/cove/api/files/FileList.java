package dev.cove.api.files;

import java.util.List;

public record FileList(String path, List<FileEntry> entries) {
}
