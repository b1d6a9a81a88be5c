package dev.cove.api.files;

import dev.cove.rpc.Nullable;

import java.time.Instant;

/**
 * One indexed file or folder.
 *
 * @param extension lower-case, without the dot; "" when none
 * @param contentId a fast content hash ("size-hex"): whole file when small, head/middle/tail samples when large;
 *                  null for folders, links and unreadable files
 */
public record FileEntry(long id, long locationId, String path, String name, String extension, FileKind kind,
                        long size, Instant modified, @Nullable Instant created, long inode,
                        @Nullable String contentId) {
}
