package dev.cove.daemon.ops.files;

import dev.cove.api.Plural;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.MoveFiles;
import dev.cove.api.jobs.FileCounts;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.daemon.jobs.FileOps;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.daemon.library.Libraries;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

import java.util.List;

@Action("files.move")
public final class MoveFilesOp implements Handler<MoveFiles, JobInfo> {
    private final JobManager jobs;
    private final Libraries libraries;

    public MoveFilesOp(JobManager jobs, Libraries libraries) {
        this.jobs = jobs;
        this.libraries = libraries;
    }

    @Override
    public JobInfo handle(MoveFiles input, CallContext context) {
        input.sources().forEach(s -> IndexPaths.managed(libraries, s));
        List<FileOps.Step> steps = FileOps.plan(input.sources(), input.destination(), input.conflict(), "move");
        String what = steps.size() == 1 ? FileNames.show(steps.get(0).source()) : Plural.of(steps.size(), "item");
        return jobs.submit(JobKind.MOVE, "move " + what + " to " + input.destination(), null, ctx -> {
            ctx.total(steps.size(), 0);
            FileOps ops = new FileOps(ctx, input.conflict());
            ctx.counts(ops.counts());
            for (FileOps.Step s : steps) {
                ctx.message("moving " + s.source());
                ops.move(s);
            }
            FileCounts n = ops.counts();
            long moved = n.copied() + n.overwritten() + n.renamed();
            String conflicts = n.conflicts();
            return "moved " + Plural.of(moved, "item") + (conflicts.isEmpty() ? "" : ": " + conflicts);
        });
    }
}
