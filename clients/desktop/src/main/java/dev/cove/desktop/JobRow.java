package dev.cove.desktop;

import dev.cove.api.events.JobUpdate;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.jobs.JobState;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One job in the jobs panel. Mutable on purpose: a {@link JobUpdate} changes a few properties of the row and
 * only the cells bound to them redraw, instead of the whole table.
 */
final class JobRow {
    final long id;
    final ObjectProperty<JobKind> kind = new SimpleObjectProperty<>();
    final ObjectProperty<JobState> state = new SimpleObjectProperty<>();
    final StringProperty description = new SimpleStringProperty("");
    final StringProperty message = new SimpleStringProperty("");
    /** 0..1, or -1 (indeterminate) while the total is unknown. */
    final DoubleProperty progress = new SimpleDoubleProperty(-1);
    final StringProperty amount = new SimpleStringProperty("");
    final StringProperty rate = new SimpleStringProperty("");
    final StringProperty eta = new SimpleStringProperty("");
    final LongProperty created = new SimpleLongProperty();
    private long done;
    private long bytes;
    private java.time.Instant lastUpdate;

    JobRow(long id) {
        this.id = id;
    }

    /**
     * A snapshot from a call (jobs.list, jobs.get, or the answer that started the job). Answers and events travel
     * different paths to the FX thread, so a snapshot can be older than the last update shown: it then only fills
     * in the description, never moves state or progress backwards.
     */
    void apply(JobInfo j) {
        kind.set(j.kind());
        description.set(j.description());
        created.set(j.createdAt().toEpochMilli());
        boolean behind = !j.state().isFinished() && (isFinished() || j.done() < done || j.bytes() < bytes);
        if (behind) {
            return;
        }
        String msg = j.error() != null ? j.error() : j.result() != null ? j.result() : message.get();
        message.set(msg == null ? "" : msg);
        progress(j.state(), j.done(), j.total(), j.bytes(), j.bytesTotal());
        if (j.state().isFinished()) {
            rate.set("");
            eta.set("");
        }
    }

    void apply(JobUpdate u) {
        if (lastUpdate != null && u.time().isBefore(lastUpdate) || isFinished() && !u.state().isFinished()) {
            return; // late: the row already shows something newer
        }
        lastUpdate = u.time();
        kind.set(u.kind());
        if (u.message() != null) {
            message.set(u.message());
        }
        progress(u.state(), u.done(), u.total(), u.bytes(), u.bytesTotal());
        boolean running = u.state() == JobState.RUNNING;
        rate.set(running && u.bytesPerSecond() > 0 ? Fx.bytes((long) u.bytesPerSecond()) + "/s" : "");
        eta.set(running && u.etaSeconds() >= 0 ? Fx.duration(u.etaSeconds()) : "");
    }

    private void progress(JobState s, long done, long total, long bytes, long bytesTotal) {
        state.set(s);
        this.done = done;
        this.bytes = bytes;
        double p;
        if (s == JobState.COMPLETED) {
            p = 1;
        } else if (bytesTotal > 0) {
            p = Math.min(1, (double) bytes / bytesTotal);
        } else if (total > 0) {
            p = Math.min(1, (double) done / total);
        } else {
            p = s.isFinished() ? 0 : -1;
        }
        progress.set(p);
        String items = total > 0 ? done + " / " + total : done > 0 ? String.valueOf(done) : "";
        String data = bytesTotal > 0 ? Fx.bytes(bytes) + " / " + Fx.bytes(bytesTotal) : bytes > 0 ? Fx.bytes(bytes) : "";
        amount.set(items.isEmpty() ? data : data.isEmpty() ? items : items + " · " + data);
    }

    boolean isFinished() {
        return state.get() != null && state.get().isFinished();
    }
}
