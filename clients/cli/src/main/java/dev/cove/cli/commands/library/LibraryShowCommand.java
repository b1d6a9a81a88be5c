package dev.cove.cli.commands.library;

import dev.cove.api.libraries.GetLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.locations.ListLocations;
import dev.cove.api.locations.LocationInfo;
import dev.cove.api.locations.LocationList;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "show", description = "Show a library (default: the default library) and its locations.")
public final class LibraryShowCommand implements Callable<Integer> {
    @ParentCommand
    LibraryCommand parent;

    @Parameters(arity = "0..1", paramLabel = "NAME|ID", description = "The library, by name or id.")
    String library;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        String def = cove.config().defaultLibrary();
        String ref = library != null ? library : def;
        if (ref == null) {
            throw new dev.cove.cli.CliException(ExitCodes.USAGE, "name a library, or choose a default with `"
                    + cove.command("library use NAME") + "`");
        }
        LibraryInfo l;
        LocationList locations;
        try (CoreClient client = cove.client()) {
            l = client.call(new GetLibrary(ref));
            locations = client.call(new ListLocations(l.id()));
        }
        if (cove.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("library", l);
            m.put("isDefault", l.id().equals(def));
            m.put("locations", locations.locations());
            cove.printJson(m);
            return ExitCodes.OK;
        }
        cove.out().println("Library " + l.name());
        LibraryCommand.printInfo(cove.out(), l, l.id().equals(def));
        if (!locations.locations().isEmpty()) {
            cove.out().println("Locations:");
            for (LocationInfo loc : locations.locations()) {
                cove.out().printf("  %d  %s  %s, %d entries, %s%n", loc.id(), loc.path(),
                        loc.state().name().toLowerCase(Locale.ROOT), loc.entries(), Format.bytes(loc.bytes()));
            }
        }
        return ExitCodes.OK;
    }
}
