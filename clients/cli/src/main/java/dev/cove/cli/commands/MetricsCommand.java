package dev.cove.cli.commands;

import dev.cove.api.Durations;
import dev.cove.api.metrics.MetricsExposition;
import dev.cove.api.metrics.ScrapeMetrics;
import dev.cove.cli.CliException;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.ReadableFile;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "metrics", description = {
        "The daemon's health and its sessions' metrics in Prometheus's text format: RPC calls, errors and latency, "
                + "connections, subscribers, jobs, index entries, sessions by status, the sessions' own metrics by app, "
                + "version and name, and upstream forwarding.",
        "With --textfile PATH (a .prom file in node_exporter's --collector.textfile.directory) the same text is "
                + "written atomically, mode 0644; add --every 15s to keep it fresh.",
        "Scrapers can also read it from `cove graphql`'s /metrics with the GraphQL token (see docs/sessions.md)."})
public final class MetricsCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Spec
    CommandSpec spec;

    @Option(names = "--textfile", paramLabel = "PATH",
            description = "Write to this file (must end in .prom) instead of stdout, through a temporary file and a rename.")
    Path textfile;

    @Option(names = "--every", paramLabel = "DURATION", converter = Interval.class,
            description = "With --textfile: rewrite the file at this interval until stopped (e.g. 15s, 1m; at least 1s).")
    Duration every;

    @Override
    public Integer call() {
        if (every != null && textfile == null) {
            throw new ParameterException(spec.commandLine(), "--every needs --textfile: it keeps a file fresh");
        }
        if (textfile != null) {
            textfile = cove.path(textfile);
            checkTextfile();
        }
        if (every == null) {
            MetricsExposition m = scrape();
            if (textfile != null) {
                write(textfile, m.text());
            } else if (cove.json()) {
                cove.printJson(m);
            } else {
                cove.out().print(m.text());
                cove.out().flush();
            }
            return ExitCodes.OK;
        }
        while (!Thread.currentThread().isInterrupted()) {
            try {
                write(textfile, scrape().text());
            } catch (RpcException | CliException e) {
                if (Thread.currentThread().isInterrupted()) {
                    break; // the call or the write was cut short by the stop, not by the daemon
                }
                // keep the last good file: node_exporter's node_textfile_mtime_seconds shows how stale it is
                cove.err().println("cove metrics: " + e.getMessage() + "; retrying in " + every.toSeconds() + "s");
                cove.err().flush();
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return ExitCodes.OK; // asked to stop (an embedding program): the file stays as last written
    }

    private MetricsExposition scrape() {
        try (CoreClient client = cove.client()) {
            return client.call(new ScrapeMetrics());
        }
    }

    private void checkTextfile() {
        String name = textfile.getFileName() == null ? "" : textfile.getFileName().toString();
        if (!name.endsWith(".prom")) {
            throw new ParameterException(spec.commandLine(), "--textfile must name a .prom file (node_exporter's "
                    + "textfile collector reads only those), not '" + textfile + "'");
        }
        Path dir = textfile.getParent();
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), "--textfile: the folder " + dir + " does not exist");
        }
    }

    static void write(Path target, String text) {
        try {
            ReadableFile.write(target, text); // node_exporter often runs as its own user: readable by others
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, "cannot write " + target + ": " + e);
        }
    }

    /** "15s", "2m", "1h" (at least 1 s: a textfile is read at the scraper's pace, not faster). */
    static final class Interval implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = Durations.parse("--every", value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not an interval; use e.g. 15s, 1m or 1h");
            }
            if (d.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new TypeConversionException("'" + value + "' is too short; the interval must be at least 1s");
            }
            return d;
        }
    }
}
