package dev.cove.daemon.ops.files;

import dev.cove.api.Plural;
import dev.cove.api.files.CopyFiles;
import dev.cove.api.files.FileNames;
import dev.cove.api.jobs.FileCounts;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.daemon.jobs.FileOps;
import dev.cove.daemon.jobs.JobManager;
import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.Handler;

import java.util.List;

@Action("files.copy")
public final class CopyFilesOp implements Handler<CopyFiles, JobInfo> {
    private final JobManager jobs;

    public CopyFilesOp(JobManager jobs) {
        this.jobs = jobs;
    }

    @Override
    public JobInfo handle(CopyFiles input, CallContext context) {
        List<FileOps.Step> steps = FileOps.plan(input.sources(), input.destination(), input.conflict(), "copy");
        String what = steps.size() == 1 ? FileNames.show(steps.get(0).source()) : Plural.of(steps.size(), "item");
        return jobs.submit(JobKind.COPY, "copy " + what + " to " + input.destination(), null, ctx -> {
            long[] m = FileOps.measure(steps.stream().map(FileOps.Step::source).toList());
            ctx.total(m[0], m[1]);
            FileOps ops = new FileOps(ctx, input.conflict());
            ctx.counts(ops.counts());
            for (FileOps.Step s : steps) {
                ctx.message("copying " + s.source());
                ops.copy(s);
            }
            FileCounts n = ops.counts();
            long written = n.copied() + n.overwritten() + n.renamed();
            String conflicts = n.conflicts();
            return "copied " + Plural.of(written, "file") + " (" + Plural.of(ops.bytesWritten(), "byte") + ")"
                    + (conflicts.isEmpty() ? "" : ": " + conflicts);
        });
    }
}
