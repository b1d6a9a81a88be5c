package dev.cove.cli.commands.location;

import dev.cove.api.jobs.JobKind;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.locations.LocationAdded;
import dev.cove.api.locations.LocationInfo;
import dev.cove.rpc.client.CoreClient;
import dev.cove.cli.CoveCli;
import dev.cove.cli.JobProgress;
import dev.cove.cli.LibraryOption;
import dev.cove.cli.WaitOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "add", description = {
        "Add a folder to the library and index it.",
        "On a terminal it waits and shows the indexing progress (Ctrl-C cancels the indexing; the location stays, "
                + "partly indexed, until `cove location rescan` completes it); "
                + "elsewhere it returns once indexing has started, unless --wait. --no-wait never waits."})
public final class LocationAddCommand implements Callable<Integer> {
    @ParentCommand
    LocationCommand parent;

    @Mixin
    LibraryOption library;

    @Parameters(paramLabel = "PATH", description = "The folder; a relative path is taken from the current folder.")
    String path;

    @Mixin
    WaitOption wait;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        String lib = library.resolve(cove);
        String folder = cove.absolute(path);
        boolean follow = wait.follow(cove);
        long[] location = {0};
        int status = JobProgress.run(cove, JobKind.INDEX, follow, client -> {
            LocationAdded added = client.call(new AddLocation(lib, folder));
            location[0] = added.location().id();
            if (!cove.json()) {
                cove.out().printf("Added location %d: %s (indexing as job %d)%n", added.location().id(),
                        added.location().path(), added.jobId());
            }
            return added.jobId();
        });
        if (status == JobProgress.INTERRUPTED && !cove.json()) {
            // Ctrl-C cancels the indexing, not the adding: say what is left and how to finish or undo it
            try (CoreClient client = cove.client()) {
                LocationInfo l = LocationCommand.resolve(cove, client, lib, Long.toString(location[0]));
                cove.out().println("The location stays added, " + (l.partlyIndexed() ? "partly indexed." : "indexed."));
                if (l.partlyIndexed()) {
                    cove.out().println(LocationListCommand.partlyIndexed(cove, l));
                }
            } catch (RuntimeException e) {
                cove.out().println("The location stays added, partly indexed: `" + cove.command("location rescan "
                        + location[0]) + "` completes it; `" + cove.command("location remove " + location[0])
                        + "` removes it");
            }
        }
        return status;
    }
}
