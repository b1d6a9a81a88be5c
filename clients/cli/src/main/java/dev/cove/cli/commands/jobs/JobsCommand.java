package dev.cove.cli.commands.jobs;

import dev.cove.api.jobs.JobInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

@Command(name = "jobs", description = "List, show, cancel, pause and resume jobs (indexing, copy, move, rename, delete).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {JobsListCommand.class, JobsShowCommand.class, JobsCancelCommand.class, JobsPauseCommand.class,
                JobsResumeCommand.class})
public final class JobsCommand implements Runnable {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a jobs command: list, show, cancel, pause or resume");
    }

    CoveCli cove() {
        return cove;
    }

    static String state(JobInfo j) {
        return j.state().name().toLowerCase(Locale.ROOT);
    }

    static String progress(JobInfo j) {
        String items = j.done() + (j.total() > 0 ? "/" + j.total() : "");
        String bytes = j.bytes() > 0 || j.bytesTotal() > 0 ? "  " + Format.bytes(j.bytes())
                + (j.bytesTotal() > 0 ? "/" + Format.bytes(j.bytesTotal()) : "") : "";
        return items + bytes;
    }

    static void print(PrintWriter out, JobInfo j) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"  kind", j.kind().name().toLowerCase(Locale.ROOT)});
        rows.add(new String[]{"  state", state(j)});
        rows.add(new String[]{"  what", j.description()});
        rows.add(new String[]{"  progress", progress(j)});
        if (j.libraryId() != null) {
            rows.add(new String[]{"  library", j.libraryId()});
        }
        rows.add(new String[]{"  created", Format.time(j.createdAt())});
        rows.add(new String[]{"  started", Format.time(j.startedAt())});
        rows.add(new String[]{"  finished", Format.time(j.finishedAt())});
        if (j.startedAt() != null && j.finishedAt() != null) {
            rows.add(new String[]{"  took", Format.duration(j.finishedAt().toEpochMilli() - j.startedAt().toEpochMilli())});
        }
        if (j.result() != null) {
            rows.add(new String[]{"  result", j.result()});
        }
        if (j.error() != null) {
            rows.add(new String[]{"  error", j.error()});
        }
        out.println("Job " + j.id());
        dev.cove.cli.Format.table(out, rows);
    }
}
