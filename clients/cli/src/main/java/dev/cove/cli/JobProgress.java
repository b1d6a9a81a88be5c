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
    private final PrintWriter out;
    /** The thread the command runs on: a second Ctrl-C interrupts it. */
    private final Thread command = Thread.currentThread();
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private final AtomicBoolean cancelSent = new AtomicBoolean();
    /** The job's id once its start returned; -1 before. */
    private volatile long jobId = -1;
    private volatile String cancelError;
    private long lastLine;
    private JobState lastState;
    private boolean drawn;

    private JobProgress(CoveCli cove, CoreClient client) {
        this.cove = cove;
        this.client = client;
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
            JobProgress progress = new JobProgress(cove, client);
            // Ctrl-C is ours before the job exists: pressed while it starts, it cancels the job once its id is known
            try (EventStream stream = client.subscribe(EventFilter.of("kind", kind.name()), JobUpdate.class);
                 CliContext.Registration onCtrlC = cove.context().interrupts().onInterrupt(progress::interrupted)) {
                progress.started(start.applyAsLong(client));
                return progress.follow(stream);
            } catch (InterruptedException e) {
                return progress.abandoned();
            } catch (RpcException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return progress.abandoned(); // a call cut short by the interrupt, not the daemon's refusal
                }
                throw e;
            }
        }
    }

    private void started(long id) {
        jobId = id;
        if (cancelRequested.get()) {
            sendCancel();
        }
    }

    private int follow(EventStream stream) throws InterruptedException {
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
            if (Thread.currentThread().isInterrupted()) {
                return abandoned();
            }
        }
        endLine();
        return finish(client.call(new GetJob(jobId)));
    }

    /**
     * Called on Ctrl-C, from another thread: the first asks the daemon to cancel the job (the main loop sees it
     * end); a second stops waiting for that, by interrupting the command, which then ends with status 130. Never
     * an exit: in the daemon the process is not the command's.
     */
    private void interrupted() {
        if (!cancelRequested.compareAndSet(false, true)) {
            command.interrupt();
            return;
        }
        if (jobId >= 0) {
            sendCancel();
        }
    }

    private void sendCancel() {
        if (!cancelSent.compareAndSet(false, true)) {
            return; // both the start and Ctrl-C saw the other's half
        }
        try (CoreClient c = cove.clientBuilder().timeout(Duration.ofSeconds(15)).build()) {
            c.call(new CancelJob(jobId));
        } catch (RpcException e) {
            cancelError = e.getMessage();
        }
    }

    /** The command was interrupted (a second Ctrl-C, or the host stopping it): the job may still run. */
    private int abandoned() {
        Thread.interrupted(); // the interrupt has been acted on: the output below must not be cut short
        endLine();
        long id = jobId;
        if (!cove.json()) {
            cove.err().println(id >= 0 ? "cove: stopped following job " + id + "; `" + cove.command("jobs show " + id)
                    + "` tells how it ends" : "cove: stopped while the job was being started; `"
                    + cove.command("jobs list") + "` shows whether it runs");
        }
        return INTERRUPTED;
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
