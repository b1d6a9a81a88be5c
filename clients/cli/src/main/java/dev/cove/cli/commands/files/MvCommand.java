package dev.cove.cli.commands.files;

import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.files.MoveFiles;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.rpc.Request;
import picocli.CommandLine.Command;

import java.util.List;

@Command(name = "mv", description = {
        "Move files and folders as a job: a rename on the same file system, else copy then delete.",
        "Shows a progress bar until the job ends; Ctrl-C cancels the job (exit status 130), --detach returns at once."})
public final class MvCommand extends TransferCommand {
    @Override
    JobKind kind() {
        return JobKind.MOVE;
    }

    @Override
    Request<JobInfo> request(List<String> sources, String destination, ConflictPolicy conflict) {
        return new MoveFiles(sources, destination, conflict);
    }
}
