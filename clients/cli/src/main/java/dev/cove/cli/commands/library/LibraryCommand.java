package dev.cove.cli.commands.library;

import dev.cove.api.libraries.LibraryInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.Format;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.List;

@Command(name = "library", description = {
        "Create, list, rename and delete libraries, and choose the default one.",
        "A library is a named set of folders (locations) with its own index. Commands that work in a library take "
                + "--library NAME|ID, else use the default set with `cove library use` (kept in the CLI's own "
                + "settings, $XDG_CONFIG_HOME/cove/cli.properties, per instance)."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {LibraryCreateCommand.class, LibraryListCommand.class, LibraryShowCommand.class,
                LibraryRenameCommand.class, LibraryDeleteCommand.class, LibraryUseCommand.class})
public final class LibraryCommand implements Runnable {
    @ParentCommand
    CoveCli cove;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a library command: create, list, "
                + "show, rename, delete or use");
    }

    CoveCli cove() {
        return cove;
    }

    static void printInfo(PrintWriter out, LibraryInfo l, boolean isDefault) {
        Format.table(out, List.of(
                new String[]{"  name", l.name() + (isDefault ? " (default)" : "")},
                new String[]{"  id", l.id()},
                new String[]{"  created", Format.time(l.createdAt())},
                new String[]{"  locations", Integer.toString(l.locations())},
                new String[]{"  entries", Long.toString(l.entries())},
                new String[]{"  size", Format.bytes(l.bytes())},
                new String[]{"  database", l.database() == null ? "-" : l.database()}));
    }
}
