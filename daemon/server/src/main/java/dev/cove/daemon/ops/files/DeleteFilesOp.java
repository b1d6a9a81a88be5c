package dev.cove.daemon.ops.files;

import dev.cove.api.Plural;
import dev.cove.api.files.DeleteFiles;
import dev.cove.api.files.FileNames;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.daemon.jobs.FileOps;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.daemon.jobs.Trash;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;
import dev.cove.rpc.RpcException;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

@Action("files.delete")
public final class DeleteFilesOp implements Handler<DeleteFiles, JobInfo> {
    private final JobManager jobs;
    private final Trash trash;
    private final Libraries libraries;

    public DeleteFilesOp(JobManager jobs, Trash trash, Libraries libraries) {
        this.jobs = jobs;
        this.trash = trash;
        this.libraries = libraries;
    }

    @Override
    public JobInfo handle(DeleteFiles input, CallContext context) {
        List<Path> paths = input.paths().stream().map(p -> IndexPaths.managed(libraries, p)).toList();
        for (Path p : paths) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw RpcException.notFound("no such file or folder: " + FileNames.show(p));
            }
            if (p.getParent() == null) {
                throw RpcException.invalidInput("refusing to delete the root folder");
            }
            if (!input.permanent() && p.startsWith(trash.dir())) {
                throw RpcException.invalidInput(p + " is already in the trash; delete it with permanent=true");
            }
        }
        String what = paths.size() == 1 ? FileNames.show(paths.get(0)) : Plural.of(paths.size(), "item");
        String verb = input.permanent() ? "delete" : "trash";
        return jobs.submit(JobKind.DELETE, verb + " " + what, null, ctx -> {
            FileOps ops = new FileOps(ctx, null);
            if (input.permanent()) {
                long[] m = FileOps.measure(paths);
                ctx.total(m[0], m[1]);
                for (Path p : paths) {
                    ops.deleteTree(p);
                }
                return "deleted " + Plural.of(m[0], "file");
            }
            ctx.total(paths.size(), 0);
            for (Path p : paths) {
                ctx.checkpoint();
                trash.trash(p, ops);
                ctx.advance(1, 0);
            }
            return "moved " + Plural.of(paths.size(), "item") + " to " + trash.dir();
        });
    }
}
