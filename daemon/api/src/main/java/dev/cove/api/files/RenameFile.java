package dev.cove.api.files;

import dev.cove.api.jobs.JobInfo;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

/** Renames a file or folder within its folder, as a job. {@code newName} is a plain name, not a path. */
@Method("action:files.rename.input.v1")
public record RenameFile(String path, String newName) implements Request<JobInfo> {
    public RenameFile {
        path = FileArgs.path(path, "path");
        if (newName == null || newName.isBlank() || newName.contains("/") || newName.equals(".")
                || newName.equals("..") || newName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("new name \"" + newName + "\" must be a plain file name without '/'");
        }
    }
}
