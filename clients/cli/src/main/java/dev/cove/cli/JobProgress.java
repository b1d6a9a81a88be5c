package dev.cove.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cove.api.events.JobUpdate;
import dev.cove.api.jobs.CancelJob;
import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.jobs.JobState;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.rpc.codec.Json;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;

/**
 * Follows a job the CLI starts, with a progress bar driven by {@link JobUpdate} events. The subscription
 * (to the job's kind) is made before the job starts, so no update is missed; updates of other jobs are
 * skipped. Ctrl-C cancels the job and the command exits with status 130.
 */
public final class JobProgress {
    /** The exit status after Ctrl-C (128 + SIGINT), as shells expect. */
    public static final int INTERRUPTED = 130;
    private static final long PLAIN_LINE_NANOS = Duration.ofSeconds(1).toNanos();

    private final CoveCli cove;
    private final CoreClient client;
    private final long jobId;
    private final PrintWriter out;
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private volatile String cancelError;
    private long lastLine;
    private JobState lastState;
    private boolean drawn;

    private JobProgress(CoveCli cove, CoreClient client, long jobId) {
        this.cove = cove;
        this.client = client;
        this.jobId = jobId;
        this.out = cove.out();
    }

    /**
     * Starts a job with {@code start} (which returns its id) and, when {@code follow}, shows its progress
     * until it ends; otherwise prints the job's id and returns at once.
     */
    public static int run(CoveCli cove, JobKind kind, boolean follow, ToLongFunction<CoreClient> start) {
        try (CoreClient client = cove.client()) {
            if (!follow) {
                long id = start.applyAsLong(client);
                JobInfo job = client.call(new GetJob(id));
                if (cove.json()) {
                    cove.printJson(job);
                } else {
                    // the id alone on stdout, for `j=$(cove cp ... --detach)`; the sentence is for the person
                    cove.out().println(id);
                    cove.err().printf("Started job %d: %s; follow it with `%s`%n", id, job.description(),
                            cove.command("jobs show " + id));
                }
                return ExitCodes.OK;
            }
            try (EventStream stream = client.subscribe(EventFilter.of("kind", kind.name()), JobUpdate.class)) {
                long id = start.applyAsLong(client);
                return new JobProgress(cove, client, id).follow(stream);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted while following the job");
        }
    }

    private int follow(EventStream stream) throws InterruptedException {
        Runnable restore = CancelOnInterrupt.install(this::cancel);
        try {
            long lastCheck = System.nanoTime();
            while (true) {
                StreamItem item = stream.poll(Duration.ofMillis(500));
                if (item instanceof StreamItem.Delivered d && d.event() instanceof JobUpdate u && u.jobId() == jobId) {
                    lastCheck = System.nanoTime();
                    show(u);
                    if (u.state().isFinished()) {
                        break;
                    }
                } else if (item instanceof StreamItem.Ended e) {
                    endLine();
                    throw new CliException(ExitCodes.UNAVAILABLE, "the event stream ended while job " + jobId
                            + " was running (" + e.reason() + "); once the daemon runs again, `"
                            + cove.command("jobs show " + jobId) + "` tells how it ended");
                } else if (item instanceof StreamItem.Lagged || System.nanoTime() - lastCheck > 2 * PLAIN_LINE_NANOS) {
                    // missed updates, or a long silence: ask for the job itself
                    lastCheck = System.nanoTime();
                    JobInfo j = client.call(new GetJob(jobId));
                    if (j.state().isFinished()) {
                        break;
                    }
                }
            }
        } finally {
            restore.run();
        }
        endLine();
        return finish(client.call(new GetJob(jobId)));
    }

    /** Called on Ctrl-C: asks the daemon to cancel the job (from a separate thread; the main loop sees the end). */
    private void cancel() {
        if (!cancelRequested.compareAndSet(false, true)) {
            Runtime.getRuntime().halt(INTERRUPTED); // a second Ctrl-C: leave at once
        }
        try (CoreClient c = cove.clientBuilder().timeout(Duration.ofSeconds(15)).build()) {
            c.call(new CancelJob(jobId));
        } catch (RpcException e) {
            cancelError = e.getMessage();
        }
    }

    private int finish(JobInfo job) {
        if (cove.json()) {
            return switch (job.state()) {
                case COMPLETED -> ExitCodes.OK;
                case CANCELLED -> cancelRequested.get() ? INTERRUPTED : ExitCodes.ERROR;
                default -> ExitCodes.ERROR;
            };
        }
        String took = job.startedAt() != null && job.finishedAt() != null
                ? " in " + Format.duration(job.finishedAt().toEpochMilli() - job.startedAt().toEpochMilli()) : "";
        switch (job.state()) {
            case COMPLETED -> {
                out.printf("Job %d completed%s: %s%n", job.id(), took, job.result() != null ? job.result() : job.description());
                if (cancelRequested.get()) {
                    cove.err().println("cove: job " + job.id() + " finished before the cancel reached it");
                }
                return ExitCodes.OK;
            }
            case CANCELLED -> {
                if (!cancelRequested.get()) {
                    throw new CliException(ExitCodes.ERROR, "job " + job.id() + " was cancelled by another client");
                }
                String left = job.kind() == JobKind.COPY || job.kind() == JobKind.MOVE
                        ? "; nothing was left under the final name" : "";
                out.printf("Cancelled job %d after %d of %s%s%s%n", job.id(), job.done(),
                        job.total() > 0 ? job.total() + " " + items(job.kind()) : "? " + items(job.kind()),
                        left, job.error() != null ? " (" + job.error() + ")" : "");
                return INTERRUPTED;
            }
            case FAILED -> throw new CliException(ExitCodes.ERROR, "job " + job.id() + " failed: "
                    + (job.error() != null ? job.error() : "no reason given") + (cancelError != null
                    ? " (cancelling it also failed: " + cancelError + ")" : ""));
            default -> throw new CliException(ExitCodes.ERROR, "job " + job.id() + " ended " + job.state()
                    .name().toLowerCase(Locale.ROOT) + (job.error() != null ? ": " + job.error() : ""));
        }
    }

    // ---- drawing ----

    private void show(JobUpdate u) {
        if (cove.json()) {
            try {
                out.println(Json.MAPPER.writeValueAsString(u));
            } catch (JsonProcessingException e) {
                throw new CliException(ExitCodes.ERROR, "cannot print a job update as JSON: " + e.getOriginalMessage());
            }
            return;
        }
        String line = line(u);
        if (cove.terminal()) {
            int width = Math.max(20, cove.terminalWidth() - 1);
            out.print("\r" + (line.length() > width ? line.substring(0, width) : line) + "\033[K");
            out.flush();
            drawn = true;
            return;
        }
        long now = System.nanoTime();
        if (u.state() != lastState || u.state().isFinished() || now - lastLine >= PLAIN_LINE_NANOS) {
            out.println(line);
            lastLine = now;
            lastState = u.state();
        }
    }

    private void endLine() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }

    /** {@code copy   [##########..........]  50%  5/10 files  5.0 MiB/10.0 MiB  12.3 MiB/s  ETA 1s}. */
    static String line(JobUpdate u) {
        double fraction = u.state() == JobState.COMPLETED ? 1
                : u.bytesTotal() > 0 ? (double) u.bytes() / u.bytesTotal()
                : u.total() > 0 ? (double) u.done() / u.total() : -1;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-6s ", u.kind().name().toLowerCase(Locale.ROOT)));
        int filled = fraction < 0 ? 0 : (int) Math.round(Math.min(1, fraction) * 20);
        sb.append('[').append("#".repeat(filled)).append(".".repeat(20 - filled)).append(']');
        sb.append(fraction < 0 ? "    ?" : String.format(Locale.ROOT, " %3d%%", (int) Math.floor(Math.min(1, fraction) * 100)));
        sb.append("  ").append(u.done()).append(u.total() > 0 ? "/" + u.total() : "").append(' ').append(items(u.kind()));
        if (u.bytes() > 0 || u.bytesTotal() > 0) {
            sb.append("  ").append(Format.bytes(u.bytes()));
            if (u.bytesTotal() > 0) {
                sb.append('/').append(Format.bytes(u.bytesTotal()));
            }
        }
        if (!u.state().isFinished() && u.bytesPerSecond() > 0) {
            sb.append("  ").append(Format.bytes((long) u.bytesPerSecond())).append("/s");
        }
        if (!u.state().isFinished() && u.etaSeconds() >= 0) {
            sb.append("  ETA ").append(Format.duration(u.etaSeconds() * 1000));
        }
        if (u.state() != JobState.RUNNING) {
            sb.append("  ").append(u.state().name().toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }

    private static String items(JobKind kind) {
        return kind == JobKind.INDEX ? "entries" : "files";
    }
}
