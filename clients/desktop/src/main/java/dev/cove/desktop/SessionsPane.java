package dev.cove.desktop;

import dev.cove.api.events.SessionEvent;
import dev.cove.api.sessions.GetSession;
import dev.cove.api.sessions.ListSessions;
import dev.cove.api.sessions.MetricBucket;
import dev.cove.api.sessions.MetricKind;
import dev.cove.api.sessions.MetricSeries;
import dev.cove.api.sessions.MetricSeriesInfo;
import dev.cove.api.sessions.QueryMetrics;
import dev.cove.api.sessions.SessionDetail;
import dev.cove.api.sessions.SessionInfo;
import dev.cove.api.sessions.SessionStatus;
import javafx.animation.KeyFrame;
import javafx.animation.PauseTransition;
import javafx.animation.Timeline;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.TilePane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import javafx.util.StringConverter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Application sessions: a table with each one's status, and for the selected one its state as a tree, its events
 * as a timeline and its metrics as charts that follow new points while the session lives.
 */
final class SessionsPane extends SplitPane {
    private static final int MAX_CHARTS = 6;

    private final DaemonLink link;
    private final TableView<SessionInfo> table = new TableView<>();
    private final ObservableList<SessionInfo> sessions = FXCollections.observableArrayList();
    private final TreeView<String> state = new TreeView<>();
    private final ListView<SessionEvent> timeline = new ListView<>();
    private final TilePane charts = new TilePane();
    private final Label title = Fx.label("sessionTitle", "Select a session", "section-title");
    private final Label subtitle = Fx.label("sessionSubtitle", "", "muted");
    private final CheckBox liveOnly = new CheckBox("Live only");
    private final PauseTransition reloadSoon = new PauseTransition(Duration.millis(250));
    private final PauseTransition detailSoon = new PauseTransition(Duration.millis(250));
    private final Timeline live = new Timeline(new KeyFrame(Duration.seconds(2), e -> refreshLive()));
    private final Map<String, LineChart<Number, Number>> chartByName = new LinkedHashMap<>();
    private long detailGeneration;
    private long listGeneration;
    private boolean loaded;
    private boolean detailLoaded;
    private boolean chartsLoaded;

    SessionsPane(DaemonLink link) {
        this.link = link;
        setId("sessionsPane");
        setOrientation(Orientation.HORIZONTAL);

        table.setId("sessionTable");
        table.setItems(sessions);
        table.setPlaceholder(new Label("No application sessions yet.\nApps report through Sessions.of(client).start(…)"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().setAll(List.of(
                column("App", s -> s.app() + (s.version() == null ? "" : " " + s.version()), 130),
                statusColumn(),
                column("PID", s -> String.valueOf(s.pid()), 60),
                column("Started", s -> Fx.dateTime(s.startedAt()), 120),
                column("Last heartbeat", s -> s.lastHeartbeat() == null ? "" : Fx.CLOCK.format(s.lastHeartbeat()), 100),
                column("Session", SessionInfo::sessionId, 110)));
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null && (a == null || !a.sessionId().equals(b.sessionId()))) {
                chartByName.clear();
                charts.getChildren().clear();
                chartsLoaded = false;
                loadDetail();
            }
        });
        liveOnly.setId("liveOnlyCheck");
        liveOnly.selectedProperty().addListener((o, a, b) -> reload());
        HBox listBar = new HBox(6, Fx.label(null, "Sessions", "section-title"), Fx.spacer(), liveOnly,
                Fx.button("refreshSessionsButton", "⟳", "Reload", this::reload));
        listBar.setAlignment(Pos.CENTER_LEFT);
        listBar.setPadding(new Insets(6, 8, 6, 8));
        listBar.getStyleClass().add("toolbar");
        BorderPane left = new BorderPane(table);
        left.setTop(listBar);

        state.setId("stateTree");
        state.setShowRoot(false);
        timeline.setId("eventTimeline");
        timeline.setPlaceholder(new Label("No events"));
        timeline.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(SessionEvent e, boolean empty) {
                super.updateItem(e, empty);
                getStyleClass().removeIf(c -> c.startsWith("log-"));
                if (empty || e == null) {
                    setText(null);
                    return;
                }
                getStyleClass().add("log-" + e.level().name().toLowerCase(Locale.ROOT));
                setText(Fx.TIME.format(e.time()) + "  " + e.name() + (e.data().isEmpty() ? "" : "  " + e.data()));
            }
        });
        charts.setId("metricCharts");
        charts.setPrefColumns(2);
        charts.setHgap(6);
        charts.setVgap(6);
        charts.setPadding(new Insets(6));
        ScrollPane chartScroll = new ScrollPane(charts);
        chartScroll.setFitToWidth(true);

        VBox stateBox = new VBox(4, Fx.label(null, "State", "section-title"), state);
        VBox eventBox = new VBox(4, Fx.label(null, "Events", "section-title"), timeline);
        VBox.setVgrow(state, javafx.scene.layout.Priority.ALWAYS);
        VBox.setVgrow(timeline, javafx.scene.layout.Priority.ALWAYS);
        stateBox.setPadding(new Insets(4));
        eventBox.setPadding(new Insets(4));
        SplitPane upper = new SplitPane(stateBox, eventBox);
        upper.setDividerPositions(0.4);
        VBox chartBox = new VBox(4, Fx.label(null, "Metrics", "section-title"), chartScroll);
        VBox.setVgrow(chartScroll, javafx.scene.layout.Priority.ALWAYS);
        chartBox.setPadding(new Insets(4));
        SplitPane detail = new SplitPane(upper, chartBox);
        detail.setOrientation(Orientation.VERTICAL);
        detail.setDividerPositions(0.45);
        VBox header = new VBox(2, title, subtitle);
        header.setPadding(new Insets(6, 8, 6, 8));
        header.getStyleClass().add("toolbar");
        BorderPane right = new BorderPane(detail);
        right.setTop(header);

        getItems().addAll(left, right);
        setDividerPositions(0.42);

        reloadSoon.setOnFinished(e -> reload());
        detailSoon.setOnFinished(e -> loadDetail());
        live.setCycleCount(Timeline.INDEFINITE);
        live.play();
        link.onConnected(this::reload);
        link.onEvent(e -> {
            if (e instanceof SessionEvent s) {
                if (!SessionEvent.STATE_CHANGED.equals(s.name())) {
                    reloadSoon.playFromStart(); // status, counts or a new session
                }
                SessionInfo sel = table.getSelectionModel().getSelectedItem();
                if (sel != null && sel.sessionId().equals(s.sessionId())) {
                    detailSoon.playFromStart();
                }
            }
        });
    }

    boolean isLoaded() {
        return loaded;
    }

    /** The selected session's detail and, if it has metrics, at least one chart have arrived. */
    boolean isDetailLoaded() {
        return detailLoaded && chartsLoaded;
    }

    ObservableList<SessionInfo> sessions() {
        return sessions;
    }

    void selectFirst() {
        if (!sessions.isEmpty() && table.getSelectionModel().getSelectedItem() == null) {
            // a live session with metrics says the most
            SessionInfo pick = sessions.stream().filter(s -> s.status().isLive() && s.metricPoints() > 0).findFirst()
                    .orElse(sessions.getFirst());
            table.getSelectionModel().select(pick);
        }
    }

    private static TableColumn<SessionInfo, String> column(String name, Function<SessionInfo, String> f, double width) {
        TableColumn<SessionInfo, String> c = new TableColumn<>(name);
        c.setCellValueFactory(v -> new ReadOnlyObjectWrapper<>(f.apply(v.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private TableColumn<SessionInfo, SessionStatus> statusColumn() {
        TableColumn<SessionInfo, SessionStatus> c = new TableColumn<>("Status");
        c.setId("statusColumn");
        c.setCellValueFactory(v -> new ReadOnlyObjectWrapper<>(v.getValue().status()));
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(SessionStatus s, boolean empty) {
                super.updateItem(s, empty);
                getStyleClass().removeIf(k -> k.startsWith("status-"));
                if (empty || s == null) {
                    setText(null);
                    return;
                }
                setText("● " + s.name().toLowerCase(Locale.ROOT));
                getStyleClass().add("status-" + s.name().toLowerCase(Locale.ROOT));
            }
        });
        c.setPrefWidth(105);
        return c;
    }

    void reload() {
        ListSessions req = liveOnly.isSelected() ? new ListSessions(null, true, null, null, null, null, 500)
                : new ListSessions(null, null, null, null, null, null, 500);
        long gen = ++listGeneration;
        link.call(req).thenAccept(list -> {
            if (gen != listGeneration) {
                return; // a newer list was asked for: this one may predate the event that triggered it
            }
            SessionInfo sel = table.getSelectionModel().getSelectedItem();
            sessions.setAll(list.sessions());
            if (sel != null) {
                list.sessions().stream().filter(s -> s.sessionId().equals(sel.sessionId())).findFirst()
                        .ifPresent(s -> table.getSelectionModel().select(s));
            }
            loaded = true;
        });
    }

    private void loadDetail() {
        SessionInfo sel = table.getSelectionModel().getSelectedItem();
        long gen = ++detailGeneration;
        if (sel == null) {
            return;
        }
        link.call(new GetSession(sel.sessionId(), 500)).thenAccept(d -> {
            if (gen != detailGeneration) {
                return;
            }
            show(d);
            detailLoaded = true;
        });
    }

    private void show(SessionDetail d) {
        SessionInfo s = d.session();
        title.setText(s.app() + (s.version() == null ? "" : " " + s.version()) + " — " + s.status().name().toLowerCase(Locale.ROOT));
        title.getStyleClass().removeIf(k -> k.startsWith("status-"));
        title.getStyleClass().add("status-" + s.status().name().toLowerCase(Locale.ROOT));
        subtitle.setText(s.sessionId() + " · pid " + s.pid() + " · started " + Fx.dateTime(s.startedAt())
                + (s.endedAt() != null ? " · ended " + Fx.dateTime(s.endedAt()) : "")
                + (s.endReason() != null ? " · " + s.endReason() : "")
                + " · " + s.events() + " events · " + s.metricPoints() + " points");
        TreeItem<String> root = new TreeItem<>("state");
        addTree(root, d.state());
        state.setRoot(root);
        timeline.getItems().setAll(d.events().reversed()); // newest first
        List<String> names = new ArrayList<>();
        for (MetricSeriesInfo m : d.metrics()) {
            if (!names.contains(m.name()) && names.size() < MAX_CHARTS) {
                names.add(m.name());
            }
        }
        if (names.isEmpty()) {
            chartsLoaded = true;
        }
        for (String name : names) {
            MetricKind kind = d.metrics().stream().filter(m -> m.name().equals(name)).findFirst().map(MetricSeriesInfo::kind)
                    .orElse(MetricKind.GAUGE);
            loadChart(s.sessionId(), name, kind);
        }
    }

    /** Nested maps become branches, lists numbered children, everything else a "key: value" leaf. */
    private static void addTree(TreeItem<String> parent, Object value) {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                add(parent, String.valueOf(e.getKey()), e.getValue());
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                add(parent, "[" + i + "]", list.get(i));
            }
        }
    }

    private static void add(TreeItem<String> parent, String key, Object v) {
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            TreeItem<String> branch = new TreeItem<>(key);
            branch.setExpanded(true);
            addTree(branch, v);
            parent.getChildren().add(branch);
        } else {
            parent.getChildren().add(new TreeItem<>(key + ": " + v));
        }
    }

    private void loadChart(String sessionId, String name, MetricKind kind) {
        LineChart<Number, Number> chart = chart(name); // in place at once, so the layout does not jump
        link.call(new QueryMetrics(sessionId, name, null, null, null, null, 60)).thenAccept(series -> {
            // not numbered like the detail: the live refresh asks again every 2 s, and on a busy machine an answer
            // can take longer than that; any answer for the session still selected is worth showing
            if (isSelected(sessionId) && chartByName.get(name) == chart) {
                chart.getData().setAll(List.of(toSeries(series, kind)));
                chartsLoaded = true;
            }
        });
    }

    private boolean isSelected(String sessionId) {
        SessionInfo sel = table.getSelectionModel().getSelectedItem();
        return sel != null && sel.sessionId().equals(sessionId);
    }

    private static XYChart.Series<Number, Number> toSeries(MetricSeries m, MetricKind kind) {
        XYChart.Series<Number, Number> s = new XYChart.Series<>();
        boolean counter = kind == MetricKind.COUNTER;
        s.setName(m.name() + (m.unit() == null ? "" : " (" + m.unit() + ")") + (counter ? " · sum" : " · avg"));
        for (MetricBucket b : m.buckets()) {
            Double v = counter ? b.sum() : b.avg();
            if (b.count() > 0 && v != null) {
                s.getData().add(new XYChart.Data<>(b.start().toEpochMilli() / 1000.0, v));
            }
        }
        return s;
    }

    private LineChart<Number, Number> chart(String name) {
        return chartByName.computeIfAbsent(name, n -> {
            NumberAxis x = new NumberAxis();
            x.setForceZeroInRange(false);
            x.setTickLabelFormatter(new StringConverter<>() {
                @Override
                public String toString(Number t) {
                    return Fx.CLOCK.format(Instant.ofEpochMilli((long) (t.doubleValue() * 1000)));
                }

                @Override
                public Number fromString(String s) {
                    return 0;
                }
            });
            NumberAxis y = new NumberAxis();
            y.setForceZeroInRange(false);
            LineChart<Number, Number> c = new LineChart<>(x, y);
            c.setId("chart-" + n);
            c.setTitle(n);
            c.setAnimated(false);
            c.setCreateSymbols(false);
            c.setLegendVisible(false);
            c.setPrefSize(345, 210);
            c.getStyleClass().add("metric-chart");
            charts.getChildren().add(c);
            return c;
        });
    }

    /** Live charts: while the selected session runs, its metrics are fetched again every two seconds. */
    private void refreshLive() {
        SessionInfo sel = table.getSelectionModel().getSelectedItem();
        if (sel != null && sel.status().isLive() && getScene() != null && isVisible()) {
            loadDetail();
        }
    }
}
