package dev.cove.api.files;

import dev.cove.api.jobs.JobInfo;
import dev.cove.rpc.Method;
import dev.cove.rpc.Nullable;
import dev.cove.rpc.Request;

import java.util.List;

/**
 * Copies files and folders (absolute paths) as a job. If {@code destination} is an existing folder they go into
 * it; with one source it may also name the new file. Each file is written to a temporary name and renamed into
 * place, modified times are kept. {@code conflict} defaults to FAIL.
 */
@Method("action:files.copy.input.v1")
public record CopyFiles(List<String> sources, String destination, @Nullable ConflictPolicy conflict)
        implements Request<JobInfo> {
    public CopyFiles {
        sources = FileArgs.sources(sources);
        destination = FileArgs.path(destination, "destination");
    }
}
