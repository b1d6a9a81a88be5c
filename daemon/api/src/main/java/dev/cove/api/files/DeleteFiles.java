package dev.cove.api.files;

import dev.cove.api.jobs.JobInfo;
import dev.cove.rpc.Method;
import dev.cove.rpc.Request;

import java.util.List;

/** Moves files and folders to the freedesktop trash ($XDG_DATA_HOME/Trash), or deletes them for good. */
@Method("action:files.delete.input.v1")
public record DeleteFiles(List<String> paths, boolean permanent) implements Request<JobInfo> {
    public DeleteFiles {
        paths = FileArgs.sources(paths);
    }
}
