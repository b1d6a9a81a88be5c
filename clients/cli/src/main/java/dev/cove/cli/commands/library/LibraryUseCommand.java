package dev.cove.cli.commands.library;

import dev.cove.api.libraries.GetLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "use", description = {
        "Make a library the default for this instance: commands without --library use it.",
        "Kept in the CLI's settings file ($XDG_CONFIG_HOME/cove/cli.properties), not in the daemon."})
public final class LibraryUseCommand implements Callable<Integer> {
    @ParentCommand
    LibraryCommand parent;

    @Parameters(paramLabel = "NAME|ID", description = "The library, by name or id.")
    String library;

    @Override
    public Integer call() {
        CoveCli cove = parent.cove();
        LibraryInfo l;
        try (CoreClient client = cove.client()) {
            l = client.call(new GetLibrary(library));
        }
        cove.config().setDefaultLibrary(l.id());
        if (cove.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("library", l);
            m.put("config", cove.config().file().toString());
            cove.printJson(m);
        } else {
            cove.out().printf("Default library: %s (id %s), saved in %s%n", l.name(), l.id(), cove.config().file());
        }
        return ExitCodes.OK;
    }
}
