package dev.cove.cli.commands.files;

import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.GetFileInfo;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Format;
import dev.cove.cli.LibraryOption;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "info", description = "Show what the index knows about a file or folder: kind, size, times, inode, content id.")
public final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Mixin
    LibraryOption library;

    @Parameters(paramLabel = "PATH", description = "A file or folder inside a location.")
    String path;

    @Override
    public Integer call() {
        String lib = library.resolve(cove);
        FileEntry e;
        try (CoreClient client = cove.client()) {
            e = client.call(new GetFileInfo(lib, cove.absolute(path)));
        }
        if (cove.json()) {
            cove.printJson(e);
            return ExitCodes.OK;
        }
        cove.out().println(FileNames.display(e.path()));
        Format.table(cove.out(), List.of(
                new String[]{"  name", FileNames.display(e.name())},
                new String[]{"  kind", e.kind().name().toLowerCase(Locale.ROOT)
                        + (e.extension().isEmpty() ? "" : " (." + e.extension() + ")")},
                new String[]{"  size", FileTable.size(e) + (e.size() >= 1024 ? " (" + e.size() + " bytes)" : "")},
                new String[]{"  modified", Format.time(e.modified())},
                new String[]{"  created", Format.time(e.created())},
                new String[]{"  inode", Long.toString(e.inode())},
                new String[]{"  content id", e.contentId() == null ? "-" : e.contentId()},
                new String[]{"  location", Long.toString(e.locationId())},
                new String[]{"  entry id", Long.toString(e.id())}));
        return ExitCodes.OK;
    }
}
