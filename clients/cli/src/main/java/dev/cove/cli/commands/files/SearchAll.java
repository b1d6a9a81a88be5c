package dev.cove.cli.commands.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.client.CoreClient;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.function.Function;

/**
 * {@code cove search --all}: every match, page after page (the largest page the daemon gives), each page
 * printed and dropped before the next is asked for, so memory stays that of one page however many match.
 * Text: one path per line, as {@code locate} prints (escaped as {@link dev.cove.api.files.FileNames#display} shows it);
 * with {@code --print0}, each path's bytes and a NUL, as {@code locate -0} prints. JSON: one object, {@code {"entries": [...], "count": N}},
 * its array written as the pages arrive.
 */
final class SearchAll {
    private SearchAll() {
    }

    static int print(CoveCli cove, CoreClient client, Function<String, SearchFiles> page, String cursor, boolean print0) {
        PrintWriter out = cove.out();
        OutputStream raw = print0 ? cove.rawOut() : null;
        boolean json = cove.json();
        long count = 0;
        if (json) {
            out.print("{\"entries\":[");
        }
        String next = cursor;
        do {
            SearchResult r = client.call(page.apply(next));
            if (raw != null) {
                next = FileTable.print0(raw, r.entries()) ? r.nextCursor() : null;
                continue;
            }
            for (FileEntry e : r.entries()) {
                if (json) {
                    out.print(count == 0 ? "\n  " : ",\n  ");
                    out.print(write(e));
                } else {
                    out.println(FileNames.display(e.path()));
                }
                count++;
            }
            out.flush();
            next = r.nextCursor();
        } while (next != null);
        if (json) {
            out.println((count == 0 ? "" : "\n") + "],\"count\":" + count + "}");
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String write(FileEntry e) {
        try {
            return Json.MAPPER.writeValueAsString(e);
        } catch (JsonProcessingException x) {
            throw new CliException(ExitCodes.ERROR, "cannot print the result as JSON: " + x.getOriginalMessage());
        }
    }
}
