package dev.cove.cli.commands.location;

import dev.cove.api.Plural;
import dev.cove.api.files.FileNames;
import dev.cove.api.locations.ListLocations;
import dev.cove.api.locations.LocationInfo;
import dev.cove.api.locations.LocationList;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.cli.LibraryOption;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "list", aliases = "ls", description = "List the library's locations: id, state, entries, size, last scan, folder.")
public final class LocationListCommand implements Callable<Integer> {
    @ParentCommand
    LocationCommand parent;

    @Mixin
    LibraryOption library;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        String lib = library.resolve(cove);
        LocationList list;
        try (CoreClient client = cove.client()) {
            list = client.call(new ListLocations(lib));
        }
        if (cove.json()) {
            cove.printJson(list);
            return ExitCodes.OK;
        }
        if (list.locations().isEmpty()) {
            cove.out().println("No locations in this library; add a folder with `" + cove.command("location add PATH") + "`");
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"ID", "STATE", "ENTRIES", "SIZE", "UNREADABLE", "LAST SCAN", "PATH"});
        for (LocationInfo l : list.locations()) {
            rows.add(new String[]{Long.toString(l.id()), l.state().name().toLowerCase(Locale.ROOT)
                    + (l.partlyIndexed() ? ", partly indexed" : "") + (!l.watching() ? " (not watched)" : l.unwatchedFolders() > 0
                    ? " (partly watched: " + Plural.of(l.unwatchedFolders(), "folder") + " unwatched)" : ""), Long.toString(l.entries()), Format.bytes(l.bytes()),
                    Long.toString(l.unreadable()), Format.time(l.lastScanAt()), FileNames.display(l.path())});
        }
        Format.table(cove.out(), rows);
        list.locations().stream().filter(l -> l.lastError() != null)
                .forEach(l -> cove.out().printf("location %d: %s%n", l.id(), l.lastError()));
        list.locations().stream().filter(LocationInfo::partlyIndexed)
                .forEach(l -> cove.out().println(partlyIndexed(cove, l)));
        list.locations().stream().filter(l -> l.watching() && l.unwatchedFolders() > 0)
                .forEach(l -> cove.out().printf("location %d: partly watched (%s unwatched): the inotify watch "
                        + "limit is reached, so those folders are kept fresh by periodic rescans; `%s` gives the fix%n",
                        l.id(), Plural.of(l.unwatchedFolders(), "folder"), cove.command("doctor")));
        return ExitCodes.OK;
    }

    /** What a partly indexed location is and the two ways out; said by location list, location add and doctor. */
    public static String partlyIndexed(CoveCli cove, LocationInfo l) {
        return "location " + l.id() + ": partly indexed (" + Plural.of(l.entries(), "entry", "entries")
                + "): its last scan did not finish. `" + cove.command("location rescan " + l.id()) + "` completes it; `"
                + cove.command("location remove " + l.id()) + "` removes the location";
    }
}
