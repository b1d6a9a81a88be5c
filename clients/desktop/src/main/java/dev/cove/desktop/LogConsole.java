package dev.cove.desktop;

import dev.cove.api.events.LogLevel;
import dev.cove.api.events.LogMessage;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Follows the daemon's {@link LogMessage} stream. The buffer keeps the last {@link #CAPACITY} lines; the level and
 * target fields filter what is shown. The level is also sent to the daemon as the subscription's minimum, because
 * the daemon produces debug and trace lines only while someone asks for them.
 */
final class LogConsole extends BorderPane {
    static final int CAPACITY = 5_000;

    private final DaemonLink link;
    private final ObservableList<LogMessage> buffer = FXCollections.observableArrayList();
    private final FilteredList<LogMessage> shown = new FilteredList<>(buffer);
    private final ListView<LogMessage> list = new ListView<>(shown);
    private final ComboBox<LogLevel> level = new ComboBox<>(FXCollections.observableArrayList(LogLevel.values()));
    private final TextField target = new TextField();
    private final ToggleButton follow = new ToggleButton("Follow");
    private final Label count = Fx.label("logCount", "", "muted");
    private final FxQueue<LogMessage> incoming;
    private volatile EventStream stream;
    private long dropped;
    private boolean seeded;

    LogConsole(DaemonLink link) {
        this.link = link;
        setId("logConsole");
        list.setId("logList");
        list.getStyleClass().add("log-list");
        list.setPlaceholder(new Label("Waiting for the daemon's log lines…"));
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(LogMessage m, boolean empty) {
                super.updateItem(m, empty);
                getStyleClass().removeIf(c -> c.startsWith("log-"));
                if (empty || m == null) {
                    setText(null);
                    return;
                }
                getStyleClass().add("log-" + m.level().name().toLowerCase(Locale.ROOT));
                setText(Fx.TIME.format(m.time()) + "  " + String.format("%-5s", m.level()) + "  " + m.target() + "  "
                        + m.message() + (m.error() == null ? "" : "\n" + m.error()));
            }
        });
        level.setId("logLevelChoice");
        level.setValue(LogLevel.INFO);
        level.valueProperty().addListener((o, a, b) -> {
            refilter();
            subscribe(); // the daemon makes lines below INFO only on request
        });
        target.setId("logTargetField");
        target.setPromptText("target, e.g. rpc or daemon.ops");
        target.textProperty().addListener((o, a, b) -> refilter());
        follow.setId("logFollowToggle");
        follow.setSelected(true);
        HBox bar = new HBox(6, Fx.label(null, "Level", null), level, Fx.label(null, "Target", null), target, follow,
                Fx.button("logClearButton", "Clear", "Empty the console", () -> {
                    buffer.clear();
                    dropped = 0;
                    updateCount();
                }), Fx.spacer(), count);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));
        bar.getStyleClass().add("toolbar");
        setTop(bar);
        setCenter(list);

        incoming = new FxQueue<>(CAPACITY, this::append);
        link.onConnected(this::subscribe);
        refilter();
    }

    List<LogMessage> shown() {
        return List.copyOf(shown);
    }

    private void refilter() {
        LogLevel min = level.getValue();
        String t = target.getText().strip();
        shown.setPredicate(m -> m.level().compareTo(min) >= 0
                && (t.isEmpty() || m.target().equals(t) || m.target().startsWith(t + ".")));
        updateCount();
    }

    private void append(List<LogMessage> batch, int droppedHere) {
        dropped += droppedHere;
        buffer.addAll(batch);
        int over = buffer.size() - CAPACITY;
        if (over > 0) {
            buffer.remove(0, over); // bounded: the oldest lines go
        }
        if (follow.isSelected() && !shown.isEmpty()) {
            list.scrollTo(shown.size() - 1);
        }
        updateCount();
    }

    private void updateCount() {
        count.setText(shown.size() + " of " + buffer.size() + " lines" + (dropped > 0 ? " · " + dropped + " missed" : ""));
    }

    /** (Re)subscribes at the chosen level on a thread of its own; the previous stream is closed. */
    private void subscribe() {
        EventStream old = stream;
        stream = null;
        LogLevel min = level.getValue();
        boolean seed = !seeded;
        seeded = true;
        link.background(() -> {
            if (old != null) {
                old.close();
            }
            if (seed) {
                // what the daemon logged before we listened; a line written between this read and the
                // subscription below can be missing
                List<LogMessage> history = LogHistory.tail(link.options().instance().logFile(), 500);
                history.forEach(incoming::add);
            }
            EventStream s;
            try {
                s = link.client().subscribe(EventFilter.of("level", min.name().toLowerCase(Locale.ROOT)), LogMessage.class);
            } catch (RpcException e) {
                return; // the link reports the daemon's absence, and resubscribes us when it is back
            }
            stream = s;
            Thread.ofPlatform().daemon().name("cove-log").start(() -> pump(s));
        });
    }

    private void pump(EventStream s) {
        try {
            while (true) {
                StreamItem item = s.next();
                switch (item) {
                    case StreamItem.Delivered d when d.event() instanceof LogMessage m -> incoming.add(m);
                    case StreamItem.Delivered d -> { }
                    case StreamItem.Lagged l -> incoming.add(new LogMessage(Instant.now(), LogLevel.WARN, "desktop",
                            "missed " + l.missed() + " log lines (the console could not keep up)", "", null));
                    case StreamItem.Ended e -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            s.close();
            Platform.runLater(this::updateCount);
        }
    }
}
