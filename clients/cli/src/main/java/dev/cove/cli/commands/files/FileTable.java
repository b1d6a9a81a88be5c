package dev.cove.cli.commands.files;

import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileKind;
import dev.cove.api.files.FileNames;
import dev.cove.cli.Format;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How file entries are printed by search, ls and info; names and paths as {@link FileNames#display} shows them. */
public final class FileTable {
    private FileTable() {
    }

    static String size(FileEntry e) {
        return e.kind() == FileKind.FOLDER ? "-" : Format.bytes(e.size());
    }

    static String name(FileEntry e) {
        return FileNames.display(e.kind() == FileKind.FOLDER ? e.name() + "/" : e.name());
    }

    /**
     * Each path's bytes followed by a NUL, as {@code find -print0} and {@code locate -0} print them, for
     * {@code xargs -0}: the exact name, whatever its bytes, with nothing escaped. False when stdout is closed (as
     * by {@code | head -z -n 3}), so that the caller stops as the text output does.
     */
    public static boolean print0(OutputStream out, List<FileEntry> entries) {
        try {
            for (FileEntry e : entries) {
                out.write(FileNames.encode(e.path()));
                out.write(0);
            }
            out.flush();
            return true;
        } catch (IOException x) {
            return false;
        }
    }

    /** NAME, SIZE, MODIFIED, PATH (or KIND instead of PATH for a folder listing). */
    public static void print(PrintWriter out, List<FileEntry> entries, boolean withPath) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"NAME", "SIZE", "MODIFIED", withPath ? "PATH" : "KIND"});
        for (FileEntry e : entries) {
            rows.add(new String[]{name(e), size(e), Format.time(e.modified()),
                    withPath ? FileNames.display(e.path()) : e.kind().name().toLowerCase(Locale.ROOT)});
        }
        Format.table(out, rows);
    }
}
