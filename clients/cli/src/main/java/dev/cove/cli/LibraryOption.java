package dev.cove.cli;

import picocli.CommandLine.Option;

/** {@code --library NAME|ID} ({@code -l}) for commands that work in one library; the default comes from {@code cove library use}. */
public final class LibraryOption {
    @Option(names = {"-l", "--library"}, paramLabel = "NAME|ID",
            description = "The library, by name or id (default: the one chosen with `cove library use`).")
    String library;

    /** The library to use: the option, else the instance's default, else a clear error. */
    public String resolve(CoveCli cove) {
        if (library != null && !library.isBlank()) {
            return library.strip();
        }
        String d = cove.config().defaultLibrary();
        if (d == null) {
            throw new CliException(ExitCodes.USAGE, "no library given and no default library is set: pass --library "
                    + "NAME, or choose a default with `" + cove.command("library use NAME") + "` (`"
                    + cove.command("library list") + "` shows them)");
        }
        return d;
    }
}
