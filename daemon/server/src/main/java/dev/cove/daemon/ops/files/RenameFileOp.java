package dev.cove.daemon.ops.files;

import dev.cove.api.files.FileNames;
import dev.cove.api.files.RenameFile;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.RpcException;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

@Action("files.rename")
public final class RenameFileOp implements Handler<RenameFile, JobInfo> {
    private final JobManager jobs;
    private final Libraries libraries;

    public RenameFileOp(JobManager jobs, Libraries libraries) {
        this.jobs = jobs;
        this.libraries = libraries;
    }

    @Override
    public JobInfo handle(RenameFile input, CallContext context) {
        Path src = IndexPaths.managed(libraries, input.path());
        if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
            throw RpcException.notFound("no such file or folder: " + FileNames.show(src));
        }
        Path dst = FileNames.resolve(src.getParent(), input.newName());
        if (Files.exists(dst, LinkOption.NOFOLLOW_LINKS)) {
            throw RpcException.conflict(FileNames.show(dst) + " already exists; pick another name");
        }
        return jobs.submit(JobKind.RENAME, "rename " + FileNames.show(src) + " to " + FileNames.display(input.newName()), null, ctx -> {
            ctx.total(1, 0);
            Files.move(src, dst); // refuses to replace a file that appeared meanwhile
            ctx.advance(1, 0);
            return "renamed to " + FileNames.show(dst);
        });
    }
}
