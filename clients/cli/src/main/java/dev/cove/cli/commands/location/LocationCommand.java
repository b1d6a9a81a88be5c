package dev.cove.cli.commands.location;

import dev.cove.api.locations.ListLocations;
import dev.cove.api.locations.LocationInfo;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "location", description = {
        "Add folders to a library (they are indexed and then watched), list, remove and rescan them.",
        "Works in --library NAME|ID, else the default library (`cove library use`)."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {LocationAddCommand.class, LocationListCommand.class, LocationRemoveCommand.class,
                LocationRescanCommand.class})
public final class LocationCommand implements Runnable {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a location command: add, list, remove or rescan");
    }

    CoveCli cove() {
        return cove;
    }

    /**
     * A location of the library named by its id or by its folder (relative folders are taken from the
     * current one). Also used by {@code cove search --location}.
     */
    public static LocationInfo resolve(CoveCli cove, CoreClient client, String library, String ref) {
        var list = client.call(new ListLocations(library));
        if (ref.matches("\\d+")) {
            long id = Long.parseLong(ref);
            for (LocationInfo l : list.locations()) {
                if (l.id() == id) {
                    return l;
                }
            }
        }
        String path = cove.absolute(ref);
        for (LocationInfo l : list.locations()) {
            if (l.path().equals(path)) {
                return l;
            }
        }
        throw new CliException(ExitCodes.ERROR, "library " + library + " has no location " + (ref.matches("\\d+")
                ? "with id " + ref : "at " + path) + "; `" + cove.command("location list") + "` shows its locations");
    }
}
