package dev.cove.cli.commands.location;

import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.locations.LocationInfo;
import dev.cove.api.locations.RescanLocation;
import dev.cove.cli.CoveCli;
import dev.cove.cli.JobProgress;
import dev.cove.cli.LibraryOption;
import dev.cove.cli.WaitOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "rescan", description = {
        "Re-index a location incrementally (unchanged files are not hashed again).",
        "Waits with progress on a terminal or with --wait, like `location add`."})
public final class LocationRescanCommand implements Callable<Integer> {
    @ParentCommand
    LocationCommand parent;

    @Mixin
    LibraryOption library;

    @Parameters(paramLabel = "ID|PATH", description = "The location's id (see `cove location list`) or folder.")
    String location;

    @Mixin
    WaitOption wait;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        String lib = library.resolve(cove);
        boolean follow = wait.follow(cove);
        return JobProgress.run(cove, JobKind.INDEX, follow, client -> {
            LocationInfo l = LocationCommand.resolve(cove, client, lib, location);
            JobInfo job = client.call(new RescanLocation(lib, l.id()));
            if (!cove.json()) {
                cove.out().printf("Rescanning location %d: %s (job %d)%n", l.id(), l.path(), job.id());
            }
            return job.id();
        });
    }
}
