package dev.cove.cli.commands.library;

import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.libraries.LibraryList;
import dev.cove.api.libraries.ListLibraries;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

@Command(name = "list", aliases = "ls", description = "List the libraries; * marks the default one.")
public final class LibraryListCommand implements Callable<Integer> {
    @ParentCommand
    LibraryCommand parent;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        LibraryList list;
        try (CoreClient client = cove.client()) {
            list = client.call(new ListLibraries());
        }
        if (cove.json()) {
            cove.printJson(list);
            return ExitCodes.OK;
        }
        if (list.libraries().isEmpty()) {
            cove.out().println("No libraries yet; create one with `" + cove.command("library create NAME") + "`");
            return ExitCodes.OK;
        }
        String def = cove.config().defaultLibrary();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"", "NAME", "ID", "LOCATIONS", "ENTRIES", "SIZE"});
        for (LibraryInfo l : list.libraries()) {
            boolean isDefault = Objects.equals(def, l.id()) || l.name().equalsIgnoreCase(String.valueOf(def));
            rows.add(new String[]{isDefault ? "*" : " ", l.name(), l.id(), Integer.toString(l.locations()),
                    Long.toString(l.entries()), Format.bytes(l.bytes())});
        }
        Format.table(cove.out(), rows);
        return ExitCodes.OK;
    }
}
