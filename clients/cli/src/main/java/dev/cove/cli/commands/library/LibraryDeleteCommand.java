package dev.cove.cli.commands.library;

import dev.cove.api.libraries.DeleteLibrary;
import dev.cove.api.libraries.GetLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.cli.Confirm;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "delete", description = {
        "Delete a library and its index. The files in its locations are not touched.",
        "Asks for confirmation on a terminal; elsewhere --yes is required."})
public final class LibraryDeleteCommand implements Callable<Integer> {
    @ParentCommand
    LibraryCommand parent;

    @Parameters(paramLabel = "NAME|ID", description = "The library, by name or id.")
    String library;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        LibraryInfo l;
        try (CoreClient client = cove.client()) {
            if (!yes) {
                LibraryInfo found = client.call(new GetLibrary(library));
                if (!Confirm.ask(cove, "deleting library " + found.name() + " drops its index of " + found.entries()
                                + " entries (the files stay)",
                        "Delete library %s and its index of %d entries (%s)? The files stay. [y/N] ",
                        found.name(), found.entries(), Format.bytes(found.bytes()))) {
                    cove.out().println("Nothing deleted");
                    return ExitCodes.ERROR;
                }
            }
            l = client.call(new DeleteLibrary(library));
        }
        if (l.id().equals(cove.config().defaultLibrary())) {
            cove.config().setDefaultLibrary(null);
        }
        if (cove.json()) {
            cove.printJson(l);
        } else {
            cove.out().printf("Deleted library %s (id %s); its files were not touched%n", l.name(), l.id());
        }
        return ExitCodes.OK;
    }
}
