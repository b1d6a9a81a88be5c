package dev.cove.cli.commands.location;

import dev.cove.api.locations.LocationInfo;
import dev.cove.api.locations.RemoveLocation;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.LibraryOption;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "remove", aliases = "rm", description = "Stop watching a location and drop its entries from the index. The files stay.")
public final class LocationRemoveCommand implements Callable<Integer> {
    @ParentCommand
    LocationCommand parent;

    @Mixin
    LibraryOption library;

    @Parameters(paramLabel = "ID|PATH", description = "The location's id (see `cove location list`) or folder.")
    String location;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        String lib = library.resolve(cove);
        LocationInfo removed;
        try (CoreClient client = cove.client()) {
            LocationInfo l = LocationCommand.resolve(cove, client, lib, location);
            removed = client.call(new RemoveLocation(lib, l.id()));
        }
        if (cove.json()) {
            cove.printJson(removed);
        } else {
            cove.out().printf("Removed location %d: %s (its files were not touched)%n", removed.id(), removed.path());
        }
        return ExitCodes.OK;
    }
}
