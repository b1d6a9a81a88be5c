package dev.cove.cli.commands.library;

import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "create", description = "Create an empty library. The first library created becomes the default unless --no-use.")
public final class LibraryCreateCommand implements Callable<Integer> {
    @ParentCommand
    LibraryCommand parent;

    @Parameters(paramLabel = "NAME", description = "Its name, unique ignoring case, e.g. Photos.")
    String name;

    @Option(names = "--use", negatable = true, description = "Make it the default library (default: only when no default is set).")
    Boolean use;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        LibraryInfo l;
        try (CoreClient client = cove.client()) {
            l = client.call(new CreateLibrary(name));
        }
        boolean makeDefault = use != null ? use : cove.config().defaultLibrary() == null;
        if (makeDefault) {
            cove.config().setDefaultLibrary(l.id());
        }
        if (cove.json()) {
            cove.printJson(l);
        } else {
            cove.out().printf("Created library %s (id %s)%s%n", l.name(), l.id(), makeDefault ? "; it is the default library now" : "");
        }
        return ExitCodes.OK;
    }
}
