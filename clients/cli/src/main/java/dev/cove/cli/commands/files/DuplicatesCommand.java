package dev.cove.cli.commands.files;

import dev.cove.api.Plural;
import dev.cove.api.files.DuplicateList;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.FindDuplicates;
import dev.cove.cli.Args;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.cli.LibraryOption;
import dev.cove.cli.commands.location.LocationCommand;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

@Command(name = "duplicates", aliases = "dupes", description = "Groups of files with the same content, most wasted space first.")
public final class DuplicatesCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Mixin
    LibraryOption library;

    @Option(names = "--min-size", paramLabel = "SIZE", converter = Args.SizeConverter.class, defaultValue = "1",
            description = "Only files of at least this size: 1M, 100k (default: 1 byte; empty files are never listed).")
    long minSize;

    @Option(names = "--location", paramLabel = "ID|PATH", description = "Only inside this location.")
    String location;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "100", description = "At most N groups (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        String lib = library.resolve(cove);
        DuplicateList d;
        try (CoreClient client = cove.client()) {
            Long locationId = location == null ? null : LocationCommand.resolve(cove, client, lib, location).id();
            d = client.call(new FindDuplicates(lib, locationId, minSize, Math.max(0, limit)));
        }
        if (cove.json()) {
            cove.printJson(d);
            return ExitCodes.OK;
        }
        if (d.groups().isEmpty()) {
            cove.out().println("No duplicates");
            return ExitCodes.OK;
        }
        for (DuplicateList.DuplicateGroup g : d.groups()) {
            cove.out().printf("%d copies of %s (%s wasted)%n", g.paths().size(), Format.bytes(g.size()),
                    Format.bytes(g.size() * (g.paths().size() - 1)));
            g.paths().forEach(p -> cove.out().println("  " + FileNames.display(p)));
        }
        cove.out().printf("%s; %s would be freed by keeping one file of each%n", Plural.of(d.groups().size(), "group"),
                Format.bytes(d.wastedBytes()));
        return ExitCodes.OK;
    }
}
