package dev.cove.cli.commands.files;

import dev.cove.api.files.FileList;
import dev.cove.api.files.ListFiles;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.LibraryOption;
import dev.cove.cli.Views;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "ls", description = "List a folder's entries as the index has them (folders first).")
public final class LsCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Mixin
    LibraryOption library;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "A folder inside a location (default: the current folder).")
    String dir;

    @Option(names = {"-0", "--print0"}, description = "Print each entry's path followed by a NUL byte, its bytes as they are (for xargs -0).")
    boolean print0;

    @Override
    public Integer call() {
        if (print0 && cove.json()) {
            throw new ParameterException(spec.commandLine(), "--print0 and --json do not go together (JSON carries the exact paths too)");
        }
        String lib = library.resolve(cove);
        FileList list;
        try (CoreClient client = cove.client()) {
            list = client.call(new ListFiles(lib, cove.absolute(dir == null ? "." : dir)));
        }
        if (cove.json()) {
            cove.printJson(list);
            return ExitCodes.OK;
        }
        if (print0) {
            FileTable.print0(cove.rawOut(), list.entries());
            return ExitCodes.OK;
        }
        Views.ls(cove.out(), list);
        return ExitCodes.OK;
    }
}
