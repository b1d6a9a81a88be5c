package dev.cove.cli.commands.files;

import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileKind;
import dev.cove.cli.Format;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How file entries are printed by search, ls and info. */
public final class FileTable {
    private FileTable() {
    }

    static String size(FileEntry e) {
        return e.kind() == FileKind.FOLDER ? "-" : Format.bytes(e.size());
    }

    static String name(FileEntry e) {
        return e.kind() == FileKind.FOLDER ? e.name() + "/" : e.name();
    }

    /** NAME, SIZE, MODIFIED, PATH (or KIND instead of PATH for a folder listing). */
    public static void print(PrintWriter out, List<FileEntry> entries, boolean withPath) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"NAME", "SIZE", "MODIFIED", withPath ? "PATH" : "KIND"});
        for (FileEntry e : entries) {
            rows.add(new String[]{name(e), size(e), Format.time(e.modified()),
                    withPath ? e.path() : e.kind().name().toLowerCase(Locale.ROOT)});
        }
        Format.table(out, rows);
    }
}
