package dev.cove.cli.commands.files;

import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.files.CopyFiles;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.rpc.Request;
import picocli.CommandLine.Command;

import java.util.List;

@Command(name = "cp", description = {
        "Copy files and folders as a job: each file is written under a temporary name and renamed into place, keeping modified times.",
        "Shows a progress bar until the job ends; Ctrl-C cancels the job (exit status 130), --detach returns at once."})
public final class CpCommand extends TransferCommand {
    @Override
    JobKind kind() {
        return JobKind.COPY;
    }

    @Override
    Request<JobInfo> request(List<String> sources, String destination, ConflictPolicy conflict) {
        return new CopyFiles(sources, destination, conflict);
    }
}
