package dev.cove.cli;

import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.Pong;
import dev.cove.api.files.FileList;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.SearchResult;
import dev.cove.cli.commands.files.FileTable;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The human output of {@code status}, {@code start}, {@code ping}, {@code search} and {@code ls}. */
public final class Views {
    private Views() {
    }

    /** {@code cove status}. */
    public static void status(PrintWriter out, DaemonStatus s, Optional<Supervision> supervisor) {
        out.println("Cove daemon is running");
        Format.table(out, List.of(
                row("instance", s.instance() + (s.privateInstance() ? " (private, tied to pid " + s.parentPid() + ")" : "")),
                row("pid", Long.toString(s.pid())),
                row("version", s.version() + " (protocol " + s.protocol() + ", Java " + s.javaVersion() + ")"),
                row("uptime", Format.duration(s.uptimeMillis()) + " (since " + s.startedAt() + ")"),
                row("socket", s.socket()),
                row("data dir", s.dataDir()),
                row("log file", s.logFile()),
                row("clients", Integer.toString(s.clients())),
                row("methods", Integer.toString(s.methods())),
                row("subscriptions", Integer.toString(s.subscriptions())),
                row("threads", Integer.toString(s.threads())),
                row("memory", "heap " + Format.bytes(s.heapUsedBytes()) + " of " + Format.bytes(s.heapMaxBytes())
                        + ", resident " + Format.bytes(s.rssBytes())),
                row("supervisor", supervisor.isPresent() ? supervisor.get().describe() : "none"),
                row("settings", settings(s))));
    }

    /** The daemon's settings as options ({@code --idle-timeout 0 --log-level info ...}), the empty ones left out. */
    private static String settings(DaemonStatus s) {
        if (s.settings() == null) {
            return "unknown (an older daemon)";
        }
        StringBuilder b = new StringBuilder();
        s.settings().forEach((k, v) -> {
            if (!v.isEmpty()) {
                b.append(b.isEmpty() ? "" : " ").append("--").append(k).append(' ').append(v);
            }
        });
        return b.toString();
    }

    private static String[] row(String name, String value) {
        return new String[]{"  " + name, value};
    }

    /** {@code cove start} when it started the daemon. */
    public static void started(PrintWriter out, String instance, long pid, String version, String socket, String logFile) {
        out.println("Cove daemon started (instance " + instance + ", pid " + pid + ", version " + version + ")");
        out.println("  socket  " + socket);
        out.println("  log     " + logFile);
    }

    /** {@code cove start} when a daemon was running already. */
    public static void alreadyRunning(PrintWriter out, String instance, long pid) {
        out.println("Cove daemon already running (instance " + instance + ", pid " + pid + "); nothing to do");
    }

    /** One line of {@code cove ping}. */
    public static void pong(PrintWriter out, Pong pong, long rttNanos) {
        out.println("pong from instance " + pong.instance() + " (pid " + pong.pid() + ", Cove " + pong.version() + "): "
                + Format.millis(rttNanos));
    }

    /** {@code cove search}; {@code cursor} is the one the page was asked with (null for the first). */
    public static void search(PrintWriter out, SearchResult r, String cursor) {
        if (r.entries().isEmpty()) {
            out.println(cursor == null ? "No matches" : "No more matches");
            return;
        }
        FileTable.print(out, r.entries(), true);
        out.println(matches(r) + " (" + String.format(Locale.ROOT, "%.1f ms)", r.tookMicros() / 1000.0));
        if (r.nextCursor() != null) {
            out.println("More: add --cursor " + r.nextCursor());
        }
    }

    /** "3 matches", "50 of 876 matches", or "50 of 10000+ matches" when the daemon stopped counting. */
    static String matches(SearchResult r) {
        int n = r.entries().size();
        if (r.totalExact() && r.total() == n) {
            return n + (n == 1 ? " match" : " matches");
        }
        return n + " of " + r.total() + (r.totalExact() ? "" : "+") + " matches";
    }

    /** {@code cove ls}. */
    public static void ls(PrintWriter out, FileList list) {
        if (list.entries().isEmpty()) {
            out.println(FileNames.display(list.path()) + " is empty in the index");
            return;
        }
        FileTable.print(out, list.entries(), false);
    }
}
