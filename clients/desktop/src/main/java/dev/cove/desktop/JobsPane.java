package dev.cove.desktop;

import dev.cove.api.events.JobUpdate;
import dev.cove.api.jobs.CancelJob;
import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobState;
import dev.cove.api.jobs.ListJobs;
import dev.cove.api.jobs.PauseJob;
import dev.cove.api.jobs.ResumeJob;
import dev.cove.rpc.Request;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Every job with live progress, rate and ETA; pause, resume and cancel the selected one. */
final class JobsPane extends BorderPane {
    private static final int HISTORY = 200;

    private final DaemonLink link;
    private final TableView<JobRow> table = new TableView<>();
    private final ObservableList<JobRow> rows = FXCollections.observableArrayList();
    private final Map<Long, JobRow> byId = new HashMap<>();
    private final Label summary = Fx.label("jobSummary", "", "muted");

    JobsPane(DaemonLink link) {
        this.link = link;
        setId("jobsPane");
        table.setId("jobTable");
        // newest first: ids grow with time
        table.setItems(rows.sorted((a, b) -> Long.compare(b.id, a.id)));
        table.setPlaceholder(new Label("No jobs yet. Copy, move or delete files, or add a location."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().setAll(java.util.List.of(
                text("#", r -> new javafx.beans.property.SimpleStringProperty(String.valueOf(r.id)), 50),
                text("Kind", r -> Bindings.convert(r.kind), 70),
                text("Job", r -> r.description, 240),
                stateColumn(),
                progressColumn(),
                text("Done", r -> r.amount, 190),
                text("Rate", r -> r.rate, 90),
                text("ETA", r -> r.eta, 80),
                text("Message", r -> r.message, 220)));

        Button pause = Fx.button("pauseJobButton", "Pause", "Pause the selected job", () -> act(r -> new PauseJob(r.id), "pause"));
        Button resume = Fx.button("resumeJobButton", "Resume", "Resume the selected job", () -> act(r -> new ResumeJob(r.id), "resume"));
        Button cancel = Fx.button("cancelJobButton", "Cancel", "Cancel the selected job", () -> act(r -> new CancelJob(r.id), "cancel"));
        Button clear = Fx.button("clearJobsButton", "Clear finished", "Hide finished jobs (they stay in the daemon's history)",
                () -> {
                    rows.removeIf(JobRow::isFinished);
                    byId.values().removeIf(JobRow::isFinished);
                    updateSummary();
                });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            pause.disableProperty().unbind();
            resume.disableProperty().unbind();
            cancel.disableProperty().unbind();
            if (r == null) {
                pause.setDisable(true);
                resume.setDisable(true);
                cancel.setDisable(true);
            } else {
                pause.disableProperty().bind(Bindings.createBooleanBinding(
                        () -> r.state.get() != JobState.RUNNING && r.state.get() != JobState.QUEUED, r.state));
                resume.disableProperty().bind(Bindings.createBooleanBinding(() -> r.state.get() != JobState.PAUSED, r.state));
                cancel.disableProperty().bind(Bindings.createBooleanBinding(r::isFinished, r.state));
            }
        });
        pause.setDisable(true);
        resume.setDisable(true);
        cancel.setDisable(true);
        HBox bar = new HBox(6, Fx.label(null, "Jobs", "section-title"), summary, Fx.spacer(), pause, resume, cancel, clear);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 8, 4, 8));
        bar.getStyleClass().add("toolbar");
        setTop(bar);
        setCenter(table);

        link.onConnected(this::reload);
        link.onEvent(e -> {
            if (e instanceof JobUpdate u) {
                update(u);
            }
        });
    }

    private static TableColumn<JobRow, String> text(String title, Function<JobRow, javafx.beans.value.ObservableValue<String>> value,
                                                    double width) {
        TableColumn<JobRow, String> c = new TableColumn<>(title);
        c.setCellValueFactory(f -> value.apply(f.getValue()));
        c.setPrefWidth(width);
        return c;
    }

    private TableColumn<JobRow, JobState> stateColumn() {
        TableColumn<JobRow, JobState> c = new TableColumn<>("State");
        c.setCellValueFactory(f -> f.getValue().state);
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(JobState s, boolean empty) {
                super.updateItem(s, empty);
                getStyleClass().removeIf(k -> k.startsWith("job-"));
                if (empty || s == null) {
                    setText(null);
                } else {
                    setText(s.name().toLowerCase());
                    getStyleClass().add("job-" + s.name().toLowerCase());
                }
            }
        });
        c.setPrefWidth(105);
        return c;
    }

    private TableColumn<JobRow, Number> progressColumn() {
        TableColumn<JobRow, Number> c = new TableColumn<>("Progress");
        c.setId("progressColumn");
        c.setCellValueFactory(f -> f.getValue().progress);
        c.setCellFactory(col -> new TableCell<>() {
            private final ProgressBar bar = new ProgressBar();
            private final Label pct = new Label();
            private final StackPane box = new StackPane(bar, pct);

            {
                bar.setMaxWidth(Double.MAX_VALUE);
                pct.getStyleClass().add("progress-text");
            }

            @Override
            protected void updateItem(Number v, boolean empty) {
                super.updateItem(v, empty);
                if (empty || v == null) {
                    setGraphic(null);
                    return;
                }
                double p = v.doubleValue();
                bar.setProgress(p < 0 ? ProgressBar.INDETERMINATE_PROGRESS : p);
                pct.setText(p < 0 ? "" : Math.round(p * 100) + " %");
                setGraphic(box);
            }
        });
        c.setPrefWidth(150);
        return c;
    }

    /** Shows a job the app just started, before its first update arrives. */
    void track(JobInfo j) {
        row(j.id()).apply(j);
        updateSummary();
        rows.stream().filter(r -> r.id == j.id()).findFirst().ifPresent(r -> table.getSelectionModel().select(r));
    }

    /** The row of a job, for tests: null if the panel does not show it. */
    JobRow row(long id, boolean create) {
        return create ? row(id) : byId.get(id);
    }

    ObservableList<JobRow> rows() {
        return rows;
    }

    private JobRow row(long id) {
        return byId.computeIfAbsent(id, k -> {
            JobRow r = new JobRow(k);
            rows.add(r);
            return r;
        });
    }

    private void update(JobUpdate u) {
        boolean known = byId.containsKey(u.jobId());
        JobRow r = row(u.jobId());
        r.apply(u);
        if (!known) {
            // an update carries no description: fetch it once
            link.call(new GetJob(u.jobId())).thenAccept(r::apply);
        }
        updateSummary();
    }

    private void reload() {
        link.call(new ListJobs(null, HISTORY)).thenAccept(list -> {
            for (JobInfo j : list.jobs()) {
                row(j.id()).apply(j);
            }
            updateSummary();
        });
    }

    private void updateSummary() {
        long running = rows.stream().filter(r -> r.state.get() == JobState.RUNNING).count();
        long queued = rows.stream().filter(r -> r.state.get() == JobState.QUEUED || r.state.get() == JobState.PAUSED).count();
        summary.setText(running + " running" + (queued > 0 ? ", " + queued + " waiting" : ""));
    }

    private void act(Function<JobRow, Request<JobInfo>> request, String verb) {
        JobRow r = table.getSelectionModel().getSelectedItem();
        if (r == null) {
            return;
        }
        link.call(request.apply(r)).whenComplete((j, ex) -> {
            if (ex != null) {
                Fx.error(this, "Cannot " + verb + " job " + r.id, ex);
            } else {
                r.apply(j);
                updateSummary();
            }
        });
    }
}
