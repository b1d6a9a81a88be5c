package dev.cove.cli.commands.library;

import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.libraries.RenameLibrary;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "rename", description = "Give a library a new name; its id (and being the default) stays.")
public final class LibraryRenameCommand implements Callable<Integer> {
    @ParentCommand
    LibraryCommand parent;

    @Parameters(index = "0", paramLabel = "NAME|ID", description = "The library, by name or id.")
    String library;

    @Parameters(index = "1", paramLabel = "NEW", description = "The new name.")
    String name;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        LibraryInfo l;
        try (CoreClient client = cove.client()) {
            l = client.call(new RenameLibrary(library, name));
        }
        if (cove.json()) {
            cove.printJson(l);
        } else {
            cove.out().printf("Renamed library %s to %s (id %s)%n", library, l.name(), l.id());
        }
        return ExitCodes.OK;
    }
}
