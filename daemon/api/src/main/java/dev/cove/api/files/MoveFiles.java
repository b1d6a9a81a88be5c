package dev.cove.api.files;

import dev.cove.api.jobs.JobInfo;
import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.util.List;

/** Moves files and folders as a job: a rename on the same file system, else copy then delete. */
@Method("action:files.move.input.v1")
public record MoveFiles(List<String> sources, String destination, @Nullable ConflictPolicy conflict)
        implements Request<JobInfo> {
    public MoveFiles {
        sources = FileArgs.sources(sources);
        destination = FileArgs.path(destination, "destination");
    }
}
